using BackupIam.Engine.Lint;
using BackupIam.Engine.Policies;
using Xunit;

namespace BackupIam.Engine.Tests.Lint
{
    /// <summary>One positive and at least one negative case per finding id, on documents built in code.</summary>
    public class PolicyLinterRuleTests
    {
        private static PolicyStatement Stmt(PolicyEffect effect, string[] actions, params string[] resources)
        {
            var st = new PolicyStatement { Effect = effect };
            st.Actions.AddRange(actions);
            st.Resources.AddRange(resources);
            return st;
        }

        private static PolicyStatement Allow(string[] actions, params string[] resources) => Stmt(PolicyEffect.Allow, actions, resources);

        private static PolicyDocument Doc(params PolicyStatement[] statements)
        {
            var doc = new PolicyDocument();
            doc.Statements.AddRange(statements);
            return doc;
        }

        private static PrincipalBlock User()
        {
            var p = new PrincipalBlock();
            p.Values["AWS"] = new List<string> { "arn:aws:iam::123456789012:user/backup" };
            return p;
        }

        /// <summary>Options under which no risk rule fires unless the test asks for it.</summary>
        private static LintOptions Quiet(PolicyContainer container = PolicyContainer.UserInline) =>
            new LintOptions { Container = container, VersioningEnabled = true, AclsDisabled = true, NeedsBucketDiscovery = true };

        private static List<PolicyFinding> Of(IReadOnlyList<PolicyFinding> findings, string id) => findings.Where(f => f.Id == id).ToList();

        // ---- UnknownAction
        [Theory]
        [InlineData("s3:HeadBucket", "s3:ListBucket")]
        [InlineData("s3:HeadObject", "s3:GetObject")]
        [InlineData("s3:PutObjectAclVersion", "s3:PutObjectVersionAcl")]
        [InlineData("s3:GetObjet", "s3:GetObject")]
        [InlineData("s3:ListObjectsV2", "s3:ListBucket")]
        [InlineData("s3:Head*", "matches no S3 action")]
        public void UnknownAction_Positive(string action, string expectedInText)
        {
            var findings = PolicyLinter.Lint(Doc(Allow(new[] { action }, "*")), Quiet());
            var f = Assert.Single(Of(findings, FindingIds.UnknownAction));
            Assert.Equal(action, f.Action);
            Assert.Equal(0, f.StatementIndex);
            Assert.Equal(FindingSeverity.Error, f.Severity);
            Assert.Contains(expectedInText, f.Fix + " " + f.Message);
        }

        [Theory]
        [InlineData("s3:GetObject")]
        [InlineData("S3:getobject")]
        [InlineData("s3:Get*")]
        [InlineData("s3:*")]
        [InlineData("iam:GetUser")]
        [InlineData("*")]
        public void UnknownAction_Negative(string action)
        {
            var findings = PolicyLinter.Lint(Doc(Allow(new[] { action }, "*")), Quiet());
            Assert.Empty(Of(findings, FindingIds.UnknownAction));
        }

        [Fact]
        public void UnknownAction_AlsoInDenyStatements()
        {
            var findings = PolicyLinter.Lint(Doc(Stmt(PolicyEffect.Deny, new[] { "s3:DeleteObjects" }, "arn:aws:s3:::b/*")), Quiet());
            var f = Assert.Single(Of(findings, FindingIds.UnknownAction));
            Assert.Contains("s3:DeleteObject\"", f.Fix);
        }

        // ---- ResourceTypeMismatch
        [Theory]
        [InlineData("s3:ListBucket", "arn:aws:s3:::b/*")]
        [InlineData("s3:ListBucketMultipartUploads", "arn:aws:s3:::b/prefix/*")]
        [InlineData("s3:PutObject", "arn:aws:s3:::b")]
        [InlineData("s3:AbortMultipartUpload", "arn:aws:s3:::b")]
        [InlineData("s3:ListAllMyBuckets", "arn:aws:s3:::b")]
        [InlineData("s3:*Object", "arn:aws:s3:::b")]
        [InlineData("s3:GetObject", "arn:aws:iam::123456789012:user/backup")]
        [InlineData("s3:DescribeJob", "arn:aws:s3:::b/*")]
        public void ResourceTypeMismatch_Positive(string action, string resource)
        {
            var findings = PolicyLinter.Lint(Doc(Allow(new[] { action }, resource)), Quiet());
            var f = Assert.Single(Of(findings, FindingIds.ResourceTypeMismatch));
            Assert.Equal(action, f.Action);
            Assert.Equal(0, f.StatementIndex);
            Assert.False(string.IsNullOrWhiteSpace(f.Fix));
        }

        [Theory]
        [InlineData("s3:ListBucket", "arn:aws:s3:::b")]
        [InlineData("s3:ListBucket", "arn:aws:s3:::b*")]
        [InlineData("s3:PutObject", "arn:aws:s3:::b/*")]
        [InlineData("s3:PutObject", "arn:aws:s3:::b*")]
        [InlineData("s3:PutObject", "arn:aws:s3:::*")]
        [InlineData("s3:ListBucket", "*")]
        [InlineData("s3:ListAllMyBuckets", "*")]
        [InlineData("s3:ListAllMyBuckets", "arn:aws:s3:::*")]
        [InlineData("s3:GetObject", "arn:aws:s3:us-east-1:123456789012:accesspoint/backup/object/*")]
        [InlineData("s3:ListBucket", "arn:aws:s3:us-east-1:123456789012:accesspoint/backup")]
        [InlineData("s3:GetAccessPointPolicy", "arn:aws:s3:us-east-1:123456789012:accesspoint/backup")]
        [InlineData("s3:DescribeJob", "arn:aws:s3:us-east-1:123456789012:job/*")]
        [InlineData("s3:Get*", "arn:aws:s3:::b")]
        [InlineData("s3:ListBucket", "arn:aws:s3:*:*:*")]
        public void ResourceTypeMismatch_Negative(string action, string resource)
        {
            var findings = PolicyLinter.Lint(Doc(Allow(new[] { action }, resource)), Quiet());
            Assert.Empty(Of(findings, FindingIds.ResourceTypeMismatch));
        }

        [Fact]
        public void ResourceTypeMismatch_NeedsOnlyOneFittingResource()
        {
            var findings = PolicyLinter.Lint(Doc(Allow(new[] { "s3:ListBucket", "s3:PutObject" }, "arn:aws:s3:::b", "arn:aws:s3:::b/*")), Quiet());
            Assert.Empty(Of(findings, FindingIds.ResourceTypeMismatch));
        }

        // ---- UnsupportedConditionKey
        [Fact]
        public void UnsupportedConditionKey_Positive_PrefixOnPutObject()
        {
            var st = Allow(new[] { "s3:PutObject" }, "arn:aws:s3:::b/*");
            st.Conditions.Add(new ConditionClause("StringLike", "s3:prefix", new[] { "backups/*" }));
            var findings = PolicyLinter.Lint(Doc(st), Quiet());
            var f = Assert.Single(Of(findings, FindingIds.UnsupportedConditionKey));
            Assert.Equal(FindingSeverity.Warning, f.Severity);
            Assert.Contains("s3:prefix", f.Message);
            Assert.Contains("s3:ListBucket", f.Fix);
        }

        [Theory]
        [InlineData("s3:ListBucket", "s3:prefix")]
        [InlineData("s3:ListBucket", "S3:Delimiter")]
        [InlineData("s3:PutObject", "aws:SecureTransport")]
        [InlineData("s3:PutObject", "s3:x-amz-server-side-encryption")]
        [InlineData("s3:GetObject", "s3:ExistingObjectTag/retention")]
        [InlineData("s3:List*", "s3:prefix")]
        [InlineData("s3:PutObject", "kms:ViaService")]
        public void UnsupportedConditionKey_Negative(string action, string key)
        {
            var st = Allow(new[] { action }, "*");
            st.Conditions.Add(new ConditionClause("StringEquals", key, new[] { "x" }));
            var findings = PolicyLinter.Lint(Doc(st), Quiet());
            Assert.Empty(Of(findings, FindingIds.UnsupportedConditionKey));
        }

        // ---- PolicyTooLarge
        private static PolicyDocument Big(int statements)
        {
            var doc = new PolicyDocument();
            for (int i = 0; i < statements; i++)
            {
                var st = Allow(new[] { "s3:GetObject", "s3:PutObject" }, "arn:aws:s3:::bucket-number-" + i + "/backups/*");
                st.Sid = "Statement" + i;
                doc.Statements.Add(st);
            }

            return doc;
        }

        [Fact]
        public void PolicyTooLarge_Positive_UserInline()
        {
            var doc = Big(40);
            int size = PolicyJson.CountNonWhitespaceCharacters(doc);
            Assert.InRange(size, 2049, 6144);
            var f = Assert.Single(Of(PolicyLinter.Lint(doc, Quiet(PolicyContainer.UserInline)), FindingIds.PolicyTooLarge));
            Assert.Null(f.StatementIndex);
            Assert.Equal(FindingSeverity.Error, f.Severity);
            Assert.Contains("2,048", f.Message);
            Assert.Contains(size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), f.Message);
        }

        [Fact]
        public void PolicyTooLarge_Negative_SameDocumentAsRolePolicy()
        {
            Assert.Empty(Of(PolicyLinter.Lint(Big(40), Quiet(PolicyContainer.RoleInline)), FindingIds.PolicyTooLarge));
            Assert.Empty(Of(PolicyLinter.Lint(Big(2), Quiet(PolicyContainer.UserInline)), FindingIds.PolicyTooLarge));
        }

        [Fact]
        public void PolicyTooLarge_TextIsMeasuredWithoutWhitespace()
        {
            var compact = PolicyJson.ToJson(Big(20), indented: false);
            var padded = PolicyJson.ToJson(Big(20), indented: true).Replace("\n", "\n                                        ");
            Assert.Equal(PolicyLinter.MeasureSize(compact, PolicyContainer.UserInline), PolicyLinter.MeasureSize(padded, PolicyContainer.UserInline));
            Assert.True(padded.Length > 2 * compact.Length);
            Assert.Equal(
                Of(PolicyLinter.Lint(compact, Quiet(PolicyContainer.GroupInline)), FindingIds.PolicyTooLarge).Count,
                Of(PolicyLinter.Lint(padded, Quiet(PolicyContainer.GroupInline)), FindingIds.PolicyTooLarge).Count);
        }

        [Theory]
        [InlineData(PolicyContainer.UserInline, 2048)]
        [InlineData(PolicyContainer.GroupInline, 5120)]
        [InlineData(PolicyContainer.RoleInline, 10240)]
        [InlineData(PolicyContainer.Managed, 6144)]
        [InlineData(PolicyContainer.BucketPolicy, 20480)]
        public void SizeLimits_MatchIamQuotas(PolicyContainer container, int limit)
        {
            Assert.Equal(limit, PolicyLinter.GetSizeLimit(container));
        }

        [Fact]
        public void MeasureSize_BucketPolicyCountsUtf8Bytes()
        {
            Assert.Equal(3, PolicyLinter.MeasureSize("a é", PolicyContainer.BucketPolicy));
            Assert.Equal(2, PolicyLinter.MeasureSize("a é", PolicyContainer.Managed));
        }

        // ---- DeleteInWriteOnlyPolicy
        [Theory]
        [InlineData("s3:DeleteObject")]
        [InlineData("s3:DeleteObjectVersion")]
        [InlineData("s3:Delete*")]
        [InlineData("s3:*")]
        [InlineData("*")]
        public void DeleteInWriteOnlyPolicy_Positive(string action)
        {
            var options = Quiet();
            options.WriteOnlyIntent = true;
            var findings = PolicyLinter.Lint(Doc(Allow(new[] { "s3:PutObject", action }, "arn:aws:s3:::b/*")), options);
            var f = Assert.Single(Of(findings, FindingIds.DeleteInWriteOnlyPolicy));
            Assert.Equal(action, f.Action);
            Assert.Equal(FindingSeverity.Error, f.Severity);
        }

        [Fact]
        public void DeleteInWriteOnlyPolicy_Positive_NotAction()
        {
            var st = Allow(new[] { "s3:GetObject" }, "arn:aws:s3:::b/*");
            st.IsNotAction = true;
            var options = Quiet();
            options.PolicyName = "backup-WriteOnly";
            Assert.Single(Of(PolicyLinter.Lint(Doc(st), options), FindingIds.DeleteInWriteOnlyPolicy));
        }

        [Fact]
        public void DeleteInWriteOnlyPolicy_Negative()
        {
            var doc = Doc(Allow(new[] { "s3:PutObject", "s3:DeleteObject" }, "arn:aws:s3:::b/*"));
            Assert.Empty(Of(PolicyLinter.Lint(doc, Quiet()), FindingIds.DeleteInWriteOnlyPolicy));

            var options = Quiet();
            options.WriteOnlyIntent = true;
            var denyDelete = Doc(Allow(new[] { "s3:PutObject", "s3:Get*" }, "arn:aws:s3:::b/*"), Stmt(PolicyEffect.Deny, new[] { "s3:Delete*" }, "arn:aws:s3:::b/*"));
            Assert.Empty(Of(PolicyLinter.Lint(denyDelete, options), FindingIds.DeleteInWriteOnlyPolicy));
        }

        [Theory]
        [InlineData("backup-write-only", true)]
        [InlineData("BackupWriteOnly", true)]
        [InlineData("writeonly", true)]
        [InlineData("UploadFilesToBackup", true)]
        [InlineData("S3BackupPolicy", false)]
        [InlineData(null, false)]
        public void WriteOnlyIntent_FollowsPolicyName(string? name, bool expected)
        {
            Assert.Equal(expected, new LintOptions { PolicyName = name }.WriteOnlyIntent);
            Assert.True(new LintOptions { PolicyName = name, WriteOnlyIntent = true }.WriteOnlyIntent);
        }

        // ---- ObjectAclCanMakePublic
        [Theory]
        [InlineData("s3:PutObjectAcl")]
        [InlineData("s3:PutObjectVersionAcl")]
        [InlineData("s3:PutObject*")]
        public void ObjectAclCanMakePublic_Positive(string action)
        {
            var options = Quiet();
            options.AclsDisabled = false;
            var f = Assert.Single(Of(PolicyLinter.Lint(Doc(Allow(new[] { action }, "arn:aws:s3:::b/*")), options), FindingIds.ObjectAclCanMakePublic));
            Assert.Equal(action, f.Action);
            Assert.Equal(FindingSeverity.Warning, f.Severity);
        }

        [Fact]
        public void ObjectAclCanMakePublic_Negative()
        {
            Assert.Empty(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:PutObjectAcl" }, "arn:aws:s3:::b/*")), Quiet()), FindingIds.ObjectAclCanMakePublic));
            var options = Quiet();
            options.AclsDisabled = false;
            Assert.Empty(Of(PolicyLinter.Lint(Doc(Stmt(PolicyEffect.Deny, new[] { "s3:PutObjectAcl" }, "arn:aws:s3:::b/*")), options), FindingIds.ObjectAclCanMakePublic));
            Assert.Empty(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:PutObject", "s3:GetObjectAcl" }, "arn:aws:s3:::b/*")), options), FindingIds.ObjectAclCanMakePublic));
        }

        // ---- UnneededListAllMyBuckets
        [Fact]
        public void UnneededListAllMyBuckets_PositiveAndNegative()
        {
            var doc = Doc(Allow(new[] { "s3:ListAllMyBuckets" }, "*"));
            var options = Quiet();
            options.NeedsBucketDiscovery = false;
            var f = Assert.Single(Of(PolicyLinter.Lint(doc, options), FindingIds.UnneededListAllMyBuckets));
            Assert.Equal(FindingSeverity.Suggestion, f.Severity);
            Assert.Empty(Of(PolicyLinter.Lint(doc, Quiet()), FindingIds.UnneededListAllMyBuckets));
            Assert.Empty(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:ListBucket" }, "arn:aws:s3:::b")), options), FindingIds.UnneededListAllMyBuckets));
        }

        // ---- OverwritableBackups
        [Fact]
        public void OverwritableBackups_Positive_VersioningOff()
        {
            var options = Quiet();
            options.VersioningEnabled = false;
            var f = Assert.Single(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:PutObject" }, "arn:aws:s3:::b/*")), options), FindingIds.OverwritableBackups));
            Assert.Contains("versioning is off", f.Message);
            Assert.Contains("s3:if-none-match", f.Fix);
        }

        [Fact]
        public void OverwritableBackups_Positive_WildcardPut()
        {
            var options = Quiet();
            options.VersioningEnabled = null;
            var f = Assert.Single(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:GetObject", "s3:Put*" }, "arn:aws:s3:::b/*")), options), FindingIds.OverwritableBackups));
            Assert.Equal("s3:Put*", f.Action);
        }

        [Fact]
        public void OverwritableBackups_Negative()
        {
            var doc = Doc(Allow(new[] { "s3:PutObject" }, "arn:aws:s3:::b/*"));
            Assert.Empty(Of(PolicyLinter.Lint(doc, Quiet()), FindingIds.OverwritableBackups));

            var withRule = new LintOptions { VersioningEnabled = false, HasNoOverwriteRule = true };
            Assert.Empty(Of(PolicyLinter.Lint(doc, withRule), FindingIds.OverwritableBackups));

            var deny = Stmt(PolicyEffect.Deny, new[] { "s3:PutObject" }, "arn:aws:s3:::b/*");
            deny.Conditions.Add(new ConditionClause("Null", "s3:if-none-match", new[] { "true" }));
            Assert.Empty(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:PutObject" }, "arn:aws:s3:::b/*"), deny), new LintOptions()), FindingIds.OverwritableBackups));

            Assert.Empty(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:GetObject" }, "arn:aws:s3:::b/*")), new LintOptions()), FindingIds.OverwritableBackups));
        }

        // ---- WildcardAction
        [Theory]
        [InlineData("*")]
        [InlineData("s3:*")]
        [InlineData("S3:*")]
        public void WildcardAction_Positive(string action)
        {
            var f = Assert.Single(Of(PolicyLinter.Lint(Doc(Allow(new[] { action }, "arn:aws:s3:::b", "arn:aws:s3:::b/*")), Quiet()), FindingIds.WildcardAction));
            Assert.Equal(action, f.Action);
        }

        [Fact]
        public void WildcardAction_Negative()
        {
            Assert.Empty(Of(PolicyLinter.Lint(Doc(Stmt(PolicyEffect.Deny, new[] { "s3:*" }, "arn:aws:s3:::b/*")), Quiet()), FindingIds.WildcardAction));
            Assert.Empty(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:Get*" }, "arn:aws:s3:::b/*")), Quiet()), FindingIds.WildcardAction));
        }

        // ---- MissingResource
        [Fact]
        public void MissingResource_PositiveAndNegative()
        {
            var f = Assert.Single(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:GetObject" })), Quiet()), FindingIds.MissingResource));
            Assert.Equal(FindingSeverity.Error, f.Severity);
            Assert.Contains("arn:aws:s3:::bucket", f.Fix);

            var notResource = Allow(new[] { "s3:GetObject" }, "arn:aws:s3:::secret/*");
            notResource.IsNotResource = true;
            Assert.Empty(Of(PolicyLinter.Lint(Doc(notResource), Quiet()), FindingIds.MissingResource));
            Assert.Empty(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:GetObject" }, "arn:aws:s3:::b/*")), Quiet()), FindingIds.MissingResource));
        }

        // ---- MissingPrincipal / PrincipalInIdentityPolicy
        [Fact]
        public void MissingPrincipal_PositiveAndNegative()
        {
            var doc = Doc(Allow(new[] { "s3:GetObject" }, "arn:aws:s3:::b/*"));
            var f = Assert.Single(Of(PolicyLinter.Lint(doc, Quiet(PolicyContainer.BucketPolicy)), FindingIds.MissingPrincipal));
            Assert.Equal(0, f.StatementIndex);
            Assert.Empty(Of(PolicyLinter.Lint(doc, Quiet(PolicyContainer.Managed)), FindingIds.MissingPrincipal));

            doc.Statements[0].Principal = User();
            Assert.Empty(Of(PolicyLinter.Lint(doc, Quiet(PolicyContainer.BucketPolicy)), FindingIds.MissingPrincipal));
        }

        [Theory]
        [InlineData(PolicyContainer.UserInline)]
        [InlineData(PolicyContainer.GroupInline)]
        [InlineData(PolicyContainer.RoleInline)]
        [InlineData(PolicyContainer.Managed)]
        public void PrincipalInIdentityPolicy_Positive(PolicyContainer container)
        {
            var st = Allow(new[] { "s3:GetObject" }, "arn:aws:s3:::b/*");
            st.Principal = User();
            var f = Assert.Single(Of(PolicyLinter.Lint(Doc(st), Quiet(container)), FindingIds.PrincipalInIdentityPolicy));
            Assert.Equal(FindingSeverity.Error, f.Severity);
        }

        [Fact]
        public void PrincipalInIdentityPolicy_Negative()
        {
            var st = Allow(new[] { "s3:GetObject" }, "arn:aws:s3:::b/*");
            st.Principal = User();
            Assert.Empty(Of(PolicyLinter.Lint(Doc(st), Quiet(PolicyContainer.BucketPolicy)), FindingIds.PrincipalInIdentityPolicy));
            Assert.Empty(Of(PolicyLinter.Lint(Doc(Allow(new[] { "s3:GetObject" }, "arn:aws:s3:::b/*")), Quiet()), FindingIds.PrincipalInIdentityPolicy));
        }

        // ---- Clean policies
        [Fact]
        public void CleanWriteOnlyPolicy_HasNoFindings()
        {
            var bucket = Allow(new[] { "s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads" }, "arn:aws:s3:::backups");
            bucket.Sid = "Bucket";
            var objects = Allow(new[] { "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts" }, "arn:aws:s3:::backups/host1/*");
            objects.Sid = "Objects";
            var noOverwrite = Stmt(PolicyEffect.Deny, new[] { "s3:PutObject" }, "arn:aws:s3:::backups/host1/*");
            noOverwrite.Sid = "NoOverwrite";
            noOverwrite.Conditions.Add(new ConditionClause("Null", "s3:if-none-match", new[] { "true" }));
            var tls = Stmt(PolicyEffect.Deny, new[] { "s3:*" }, "arn:aws:s3:::backups", "arn:aws:s3:::backups/*");
            tls.Sid = "TlsOnly";
            tls.Conditions.Add(new ConditionClause("Bool", "aws:SecureTransport", new[] { "false" }));

            var findings = PolicyLinter.Lint(Doc(bucket, objects, noOverwrite, tls), new LintOptions { Container = PolicyContainer.GroupInline, PolicyName = "backup-write-only" });
            Assert.Empty(findings);
        }

        [Fact]
        public void CleanReadWriteBucketPolicy_HasNoErrors()
        {
            var bucket = Allow(new[] { "s3:ListBucket", "s3:GetBucketLocation" }, "arn:aws:s3:::backups");
            bucket.Principal = User();
            bucket.Conditions.Add(new ConditionClause("StringLike", "s3:prefix", new[] { "host1/*" }));
            var objects = Allow(new[] { "s3:PutObject", "s3:GetObject", "s3:DeleteObject" }, "arn:aws:s3:::backups/host1/*");
            objects.Principal = User();
            var findings = PolicyLinter.Lint(Doc(bucket, objects), new LintOptions { Container = PolicyContainer.BucketPolicy, VersioningEnabled = true });
            Assert.DoesNotContain(findings, f => f.Severity == FindingSeverity.Error);

            // s3:GetBucketLocation has no s3:prefix key, so the prefix condition keeps it from ever being granted.
            var f = Assert.Single(findings);
            Assert.Equal(FindingIds.UnsupportedConditionKey, f.Id);
            Assert.Equal("s3:GetBucketLocation", f.Action);
        }

        [Fact]
        public void Findings_AreOrderedPolicyFirstThenByStatement()
        {
            var doc = Big(40);
            doc.Statements.Insert(0, Allow(new[] { "s3:HeadBucket" }, "*"));
            doc.Statements.Add(Allow(new[] { "s3:ListBucket" }, "arn:aws:s3:::b/*"));
            var findings = PolicyLinter.Lint(doc, Quiet());
            Assert.Equal(FindingIds.PolicyTooLarge, findings[0].Id);
            Assert.Equal(FindingIds.UnknownAction, findings[1].Id);
            Assert.Equal(41, findings[^1].StatementIndex);
        }

        [Fact]
        public void Lint_NullArguments_Throw()
        {
            Assert.Throws<ArgumentNullException>(() => PolicyLinter.Lint((string)null!, new LintOptions()));
            Assert.Throws<ArgumentNullException>(() => PolicyLinter.Lint(new PolicyDocument(), null!));
        }

        [Fact]
        public void Lint_InvalidJson_ThrowsPolicyFormatException()
        {
            var ex = Assert.Throws<PolicyFormatException>(() => PolicyLinter.Lint("{\"Statement\": [", new LintOptions()));
            Assert.Equal(PolicyFormatException.MalformedJsonErrorId, ex.ErrorId);
        }
    }
}
