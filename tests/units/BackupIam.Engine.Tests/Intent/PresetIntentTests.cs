using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Intent
{
    /// <summary>
    /// Each backup setup, simulated over the whole S3 action catalogue, must allow EXACTLY what its intent says:
    /// the expected sets below are written out by hand from the setups' descriptions (never copied from the
    /// engine's output), and every other probe (other actions, objects outside the prefix, other list contexts,
    /// everything on the other bucket) must be denied.
    /// </summary>
    public class PresetIntentTests
    {
        private const string Bucket = "my-backup-bucket";
        private const string PrincipalArn = "arn:aws:iam::123456789012:user/backup";

        // s3:ListBucket list contexts, spelled as AccessMatrixEntry.ContextDescription shows them.
        private const string NoPrefixNoDelimiter = "no s3:prefix, no s3:delimiter";
        private const string RootWithDelimiter = "s3:prefix=\"\" s3:delimiter=/";

        private static readonly PrincipalInfo Principal = PrincipalInfo.ForUser("123456789012", "backup");

        /// <summary>The setups under test: name → how to build the preset and which prefix the matrix probes.</summary>
        private static readonly Dictionary<string, Setup> Setups = new Dictionary<string, Setup>(StringComparer.Ordinal)
        {
            ["UploadOnly"] = new Setup("UploadOnly", "backup/", _ => { }),
            ["WriteOnly"] = new Setup("WriteOnly", "", _ => { }),
            ["WriteOnlyWithPrefix"] = new Setup("WriteOnly", "backups/", o => o.Prefix = "backups/"),
            ["WriteOnlyNoListBucket"] = new Setup("WriteOnly", "", o => o.NoListBucket = true),
            ["ReadWriteDelete"] = new Setup("ReadWriteDelete", "", _ => { }),
            ["Rclone"] = new Setup("Rclone", "backups/dataset-1/", _ => { }),
            ["RcloneAllowMultipart"] = new Setup("Rclone", "backups/dataset-1/", o => o.AllowMultipart = true),
            ["RcloneAllowObjectAcl"] = new Setup("Rclone", "backups/dataset-1/", o => o.AllowObjectAcl = true),
            ["RcloneAllowBucketDiscovery"] = new Setup("Rclone", "backups/dataset-1/", o => o.AllowBucketDiscovery = true),
            ["RcloneAllowCreateBucket"] = new Setup("Rclone", "backups/dataset-1/", o => o.AllowCreateBucket = true),
            ["RcloneAsBucketPolicy"] = new Setup("Rclone", "backups/dataset-1/", o => o.Kind = PresetPolicyKind.Bucket),
            ["UpdraftPlus"] = new Setup("UpdraftPlus", "", _ => { }),
            ["UpdraftPlusSecure"] = new Setup("UpdraftPlusSecure", "", _ => { }),
            ["RcloneCopy"] = new Setup("RcloneCopy", "backups/dataset-1/", _ => { }),
            ["RcloneCopyAsBucketPolicy"] = new Setup("RcloneCopy", "backups/dataset-1/", o => o.Kind = PresetPolicyKind.Bucket),
            ["Restic"] = new Setup("Restic", "", _ => { }),
            ["ResticNoDelete"] = new Setup("ResticNoDelete", "", _ => { }),
            ["ResticNoDeleteWithPrefix"] = new Setup("ResticNoDelete", "repo/", o => o.Prefix = "repo/"),
            ["S3cmd"] = new Setup("S3cmd", "backup/", _ => { }),
            ["AwsCli"] = new Setup("AwsCli", "backup/", _ => { }),
            ["AwsCliAsBucketPolicy"] = new Setup("AwsCli", "backup/", o => o.Kind = PresetPolicyKind.Bucket),
            ["OwnerRestore"] = new Setup("OwnerRestore", "", _ => { }),
        };

        public static TheoryData<string> SetupNames()
        {
            var data = new TheoryData<string>();
            foreach (string name in Setups.Keys)
            {
                data.Add(name);
            }

            return data;
        }

        // ---------------------------------------------------------------- setup 1: upload only

        [Fact]
        public void UploadOnly_AllowsOnlyPutObjectUnderThePrefix()
        {
            AssertAllowedExactly(
                "UploadOnly",
                OnObjectsInPrefix("s3:PutObject"));
        }

        // ---------------------------------------------------------------- setup 2: write-only bucket policy

        [Fact]
        public void WriteOnly_BucketPolicy_AllowsListingLocationAndWrites()
        {
            AssertAllowedExactly(
                "WriteOnly",
                OnBucket("s3:ListBucket", "s3:GetBucketLocation"),
                ListBucketIn(NoPrefixNoDelimiter, RootWithDelimiter),
                OnObjectsInPrefix("s3:PutObject", "s3:PutObjectAcl"));
        }

        [Fact]
        public void WriteOnly_WithPrefix_ListsEverywhereButWritesOnlyInsideThePrefix()
        {
            // s3:ListBucket has no condition, so every listing context is allowed; object writes stop at the prefix.
            AssertAllowedExactly(
                "WriteOnlyWithPrefix",
                OnBucket("s3:ListBucket", "s3:GetBucketLocation"),
                ListBucketIn(
                    NoPrefixNoDelimiter,
                    RootWithDelimiter,
                    "s3:prefix=\"\"",
                    "s3:prefix=backups/",
                    "s3:prefix=backups/ s3:delimiter=/",
                    "s3:prefix=backups/sub/",
                    "s3:prefix=other/",
                    "s3:prefix=other/ s3:delimiter=/"),
                OnObjectsInPrefix("s3:PutObject", "s3:PutObjectAcl"));
        }

        [Fact]
        public void WriteOnly_NoListBucket_AllowsOnlyLocationAndWrites()
        {
            AssertAllowedExactly(
                "WriteOnlyNoListBucket",
                OnBucket("s3:GetBucketLocation"),
                OnObjectsInPrefix("s3:PutObject", "s3:PutObjectAcl"));
        }

        // ---------------------------------------------------------------- setup 3: read/write/delete

        [Fact]
        public void ReadWriteDelete_AllowsGetPutDeleteOnObjectsOnly()
        {
            AssertAllowedExactly(
                "ReadWriteDelete",
                OnObjectsInPrefix("s3:GetObject", "s3:PutObject", "s3:DeleteObject"));
        }

        // ---------------------------------------------------------------- setup 4: prefix-scoped rclone

        /// <summary>Parent levels with delimiter "/", and the subtree of the prefix (with or without delimiter).</summary>
        private static IEnumerable<ExpectedEntry> RcloneListing() => ListBucketIn(
            RootWithDelimiter,
            "s3:prefix=backups/ s3:delimiter=/",
            "s3:prefix=backups/dataset-1/",
            "s3:prefix=backups/dataset-1/ s3:delimiter=/",
            "s3:prefix=backups/dataset-1/sub/");

        [Fact]
        public void Rclone_ListsParentsAndSubtreeAndUsesObjectsOnlyInsideThePrefix()
        {
            AssertAllowedExactly(
                "Rclone",
                RcloneListing(),
                OnObjectsInPrefix("s3:GetObject", "s3:PutObject", "s3:DeleteObject"));
        }

        [Fact]
        public void Rclone_AsBucketPolicy_AllowsTheSameAsTheIdentityPolicy()
        {
            AssertAllowedExactly(
                "RcloneAsBucketPolicy",
                RcloneListing(),
                OnObjectsInPrefix("s3:GetObject", "s3:PutObject", "s3:DeleteObject"));
        }

        [Fact]
        public void Rclone_AllowMultipart_AddsMultipartListingAndAbort()
        {
            AssertAllowedExactly(
                "RcloneAllowMultipart",
                RcloneListing(),
                OnObjectsInPrefix("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"),
                OnBucket("s3:ListBucketMultipartUploads"));
        }

        [Fact]
        public void Rclone_AllowObjectAcl_AddsPutObjectAcl()
        {
            AssertAllowedExactly(
                "RcloneAllowObjectAcl",
                RcloneListing(),
                OnObjectsInPrefix("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl"));
        }

        [Fact]
        public void Rclone_AllowBucketDiscovery_AddsListAllMyBucketsAndLocation()
        {
            AssertAllowedExactly(
                "RcloneAllowBucketDiscovery",
                RcloneListing(),
                OnObjectsInPrefix("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
                OnBucket("s3:GetBucketLocation"),
                OnAllResources("s3:ListAllMyBuckets"));
        }

        [Fact]
        public void Rclone_AllowCreateBucket_AddsCreateBucketOnThisBucketOnly()
        {
            AssertAllowedExactly(
                "RcloneAllowCreateBucket",
                RcloneListing(),
                OnObjectsInPrefix("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
                OnBucket("s3:CreateBucket"));
        }

        // ---------------------------------------------------------------- setup 5: UpdraftPlus

        private static IEnumerable<ExpectedEntry> UpdraftBucketAccess() => Concat(
            OnBucket("s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"),
            ListBucketIn(NoPrefixNoDelimiter, RootWithDelimiter),
            OnAllResources("s3:ListAllMyBuckets"));

        [Fact]
        public void UpdraftPlus_AllowsTheDocumentedPolicy()
        {
            AssertAllowedExactly(
                "UpdraftPlus",
                UpdraftBucketAccess(),
                OnObjectsInPrefix(
                    "s3:AbortMultipartUpload",
                    "s3:DeleteObject",
                    "s3:DeleteObjectVersion",
                    "s3:GetObject",
                    "s3:GetObjectAcl",
                    "s3:GetObjectVersion",
                    "s3:GetObjectVersionAcl",
                    "s3:PutObject",
                    "s3:PutObjectAcl",
                    "s3:PutObjectVersionAcl"));
        }

        [Fact]
        public void UpdraftPlusSecure_AllowsTheDocumentedPolicyWithoutAnyDelete()
        {
            AccessMatrix matrix = AssertAllowedExactly(
                "UpdraftPlusSecure",
                UpdraftBucketAccess(),
                OnObjectsInPrefix(
                    "s3:AbortMultipartUpload",
                    "s3:GetObject",
                    "s3:GetObjectAcl",
                    "s3:GetObjectVersion",
                    "s3:GetObjectVersionAcl",
                    "s3:PutObject",
                    "s3:PutObjectAcl",
                    "s3:PutObjectVersionAcl"));

            // Spelled out again because it is the whole point of the Secure variant.
            Assert.DoesNotContain(matrix.Allowed, e => e.Action == "s3:DeleteObject" || e.Action == "s3:DeleteObjectVersion");
            // Issue 13: the hardened preset denies both explicitly (they were implicit denies), so that no other policy and no
            // owner right of the writer (Ceph RGW) can bring them back.
            Assert.Contains(matrix.Entries, e => e.Action == "s3:DeleteObject" && e.ResourceKind == ResourceKinds.ObjectInPrefix && e.Decision == Decision.ExplicitDeny);
            Assert.Contains(matrix.Entries, e => e.Action == "s3:DeleteObjectVersion" && e.ResourceKind == ResourceKinds.ObjectInPrefix && e.Decision == Decision.ExplicitDeny);
        }

        // ---------------------------------------------------------------- tool presets (issue 13)

        [Fact]
        public void RcloneCopy_IsRcloneWithoutDelete()
        {
            AssertAllowedExactly("RcloneCopy", RcloneListing(), OnObjectsInPrefix("s3:GetObject", "s3:PutObject"));
            AssertAllowedExactly("RcloneCopyAsBucketPolicy", RcloneListing(), OnObjectsInPrefix("s3:GetObject", "s3:PutObject"));
        }

        [Fact]
        public void Restic_AllowsItsDocumentedPermissions()
        {
            // restic docs (Examples, Amazon S3): DeleteObject, GetObject, PutObject on objects; ListBucket, GetBucketLocation on the bucket.
            AssertAllowedExactly(
                "Restic",
                OnBucket("s3:ListBucket", "s3:GetBucketLocation"),
                ListBucketIn(NoPrefixNoDelimiter, RootWithDelimiter),
                OnObjectsInPrefix("s3:GetObject", "s3:PutObject", "s3:DeleteObject"));
        }

        [Fact]
        public void ResticNoDelete_DeletesNothingButLocks()
        {
            AssertAllowedExactly(
                "ResticNoDelete",
                OnBucket("s3:ListBucket", "s3:GetBucketLocation"),
                ListBucketIn(NoPrefixNoDelimiter, RootWithDelimiter),
                OnObjectsInPrefix("s3:GetObject", "s3:PutObject"));

            PolicyDocument doc = PresetCatalog.Build("ResticNoDelete", new PresetOptions { BucketName = Bucket, Prefix = "repo/" });
            var evaluator = new PolicyEvaluator();
            var policies = new[] { new NamedPolicy("ResticNoDelete", doc) };
            Decision Delete(string key) => evaluator.Evaluate(policies, null, new EvaluationRequest("s3:DeleteObject", "arn:aws:s3:::" + Bucket + "/" + key, Principal)).Decision;
            Assert.Equal(Decision.Allowed, Delete("repo/locks/4f2a"));
            foreach (string key in new[] { "repo/data/00/00ab", "repo/snapshots/1", "repo/index/2", "repo/keys/3", "repo/config", "locks/4f2a", "other/locks/x" })
            {
                Assert.NotEqual(Decision.Allowed, Delete(key));
            }

            Assert.Equal(Decision.ExplicitDeny, evaluator.Evaluate(policies, null, new EvaluationRequest("s3:DeleteObjectVersion", "arn:aws:s3:::" + Bucket + "/repo/locks/4f2a", Principal)).Decision);
        }

        [Theory]
        [InlineData("S3cmd")]
        [InlineData("AwsCli")]
        [InlineData("AwsCliAsBucketPolicy")]
        public void PutOnlyToolPresets_AllowOnlyPutObjectUnderThePrefix(string setupName)
        {
            AssertAllowedExactly(setupName, OnObjectsInPrefix("s3:PutObject"));
        }

        [Fact]
        public void OwnerRestore_AllowsOnlyReadingObjectsAndTheirVersions()
        {
            AssertAllowedExactly("OwnerRestore", OnObjectsInPrefix("s3:GetObject", "s3:GetObjectVersion"));
        }

        [Fact]
        public void Rclone_ListsTheBucketRootWhenNoPrefixIsSent_OneLevelOnly()
        {
            // rclone lsd remote:bucket sends delimiter=/ and no prefix: the s3:prefix key is absent (AWS and Ceph RGW alike).
            foreach (string preset in new[] { "Rclone", "RcloneCopy" })
            {
                PolicyDocument doc = PresetCatalog.Build(preset, new PresetOptions { BucketName = Bucket });
                var evaluator = new PolicyEvaluator();
                var policies = new[] { new NamedPolicy(preset, doc) };
                EvaluationResult List(params (string Key, string Value)[] context)
                {
                    var request = new EvaluationRequest("s3:ListBucket", "arn:aws:s3:::" + Bucket, Principal);
                    foreach (var (key, value) in context)
                    {
                        request.WithContext(key, value);
                    }

                    return evaluator.Evaluate(policies, null, request);
                }

                EvaluationResult root = List(("s3:delimiter", "/"));
                Assert.Equal(Decision.Allowed, root.Decision);
                Assert.Contains("ListBucketRoot", root.DecidedBy);
                Assert.NotEqual(Decision.Allowed, List().Decision);
                Assert.NotEqual(Decision.Allowed, List(("s3:delimiter", "x")).Decision);
                Assert.NotEqual(Decision.Allowed, List(("s3:prefix", "backups/other/"), ("s3:delimiter", "/")).Decision);
                Assert.Equal(Decision.Allowed, List(("s3:prefix", "backups/dataset-1/")).Decision);
            }
        }

        // ---------------------------------------------------------------- hardening: what must hold where the writer owns its objects

        [Theory]
        [InlineData("UploadOnly")]
        [InlineData("WriteOnly")]
        [InlineData("WriteOnlyNoListBucket")]
        [InlineData("S3cmd")]
        [InlineData("AwsCli")]
        public void UploadPresets_DenyReadingReAclingAndDeletingExplicitly(string setupName)
        {
            AccessMatrix matrix = BuildMatrix(setupName);
            foreach (string action in new[] { "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectVersionAcl", "s3:ListMultipartUploadParts" })
            {
                Assert.Contains(matrix.Entries, e => e.Action == action && e.ResourceKind == ResourceKinds.ObjectInPrefix && e.Decision == Decision.ExplicitDeny);
            }

            foreach (string action in new[] { "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutBucketAcl", "s3:ListBucketVersions" })
            {
                Assert.Contains(matrix.Entries, e => e.Action == action && e.ResourceKind == ResourceKinds.Bucket && e.Decision == Decision.ExplicitDeny);
            }
        }

        [Theory]
        [InlineData("UploadOnly", true)]
        [InlineData("Rclone", true)]
        [InlineData("Restic", true)]
        [InlineData("AwsCliAsBucketPolicy", false)]
        [InlineData("RcloneAllowCreateBucket", false)]
        public void IdentityPresets_DenyCreatingBuckets(string setupName, bool denied)
        {
            AccessMatrix matrix = BuildMatrix(setupName);
            AccessMatrixEntry other = Assert.Single(matrix.Entries, e => e.Action == "s3:CreateBucket" && e.ResourceKind == ResourceKinds.OtherBucket);
            Assert.Equal(denied ? Decision.ExplicitDeny : Decision.ImplicitDeny, other.Decision);
        }

        [Theory]
        [InlineData("UploadOnly", "s3:PutObject")]
        [InlineData("WriteOnly", "s3:PutObjectAcl")]
        [InlineData("UpdraftPlusSecure", "s3:PutObjectAcl")]
        [InlineData("RcloneCopy", "s3:PutObject")]
        [InlineData("Restic", "s3:PutObject")]
        public void PublicCannedAclsAreDeniedAndOtherAclsAreNot(string setupName, string action)
        {
            Setup setup = Setups[setupName];
            var options = new PresetOptions { BucketName = Bucket, PrincipalArn = PrincipalArn };
            setup.Configure(options);
            PolicyDocument doc = PresetCatalog.Build(setup.Preset, options);
            bool bucket = (options.Kind ?? PresetCatalog.Get(setup.Preset).DefaultKind) == PresetPolicyKind.Bucket;
            var evaluator = new PolicyEvaluator();
            var named = new NamedPolicy("P", doc, isResourcePolicy: bucket);
            Decision Put(string? acl)
            {
                var request = new EvaluationRequest(action, "arn:aws:s3:::" + Bucket + "/" + setup.MatrixPrefix + "k", Principal);
                if (acl != null)
                {
                    request.WithContext("s3:x-amz-acl", acl);
                }

                return bucket
                    ? evaluator.Evaluate(Array.Empty<NamedPolicy>(), named, request).Decision
                    : evaluator.Evaluate(new[] { named }, null, request).Decision;
            }

            Assert.Equal(Decision.Allowed, Put(null));
            Assert.Equal(Decision.Allowed, Put("bucket-owner-full-control"));
            Assert.Equal(Decision.Allowed, Put("private"));
            foreach (string acl in new[] { "public-read", "public-read-write", "authenticated-read" })
            {
                Assert.Equal(Decision.ExplicitDeny, Put(acl));
            }
        }

        [Theory]
        [InlineData("UploadOnly")]
        [InlineData("WriteOnly")]
        [InlineData("UpdraftPlusSecure")]
        [InlineData("Rclone")]
        [InlineData("S3cmd")]
        [InlineData("AwsCli")]
        public void RequireBucketOwnerFullControl_DeniesUploadsWithoutTheAcl(string preset)
        {
            var options = new PresetOptions { BucketName = Bucket, PrincipalArn = PrincipalArn, RequireBucketOwnerFullControl = true };
            PolicyDocument doc = PresetCatalog.Build(preset, options);
            bool bucket = PresetCatalog.Get(preset).DefaultKind == PresetPolicyKind.Bucket;
            string prefix = PresetCatalog.Get(preset).DefaultPrefix;
            var evaluator = new PolicyEvaluator();
            var named = new NamedPolicy("P", doc, isResourcePolicy: bucket);
            Decision Put(string? acl)
            {
                var request = new EvaluationRequest("s3:PutObject", "arn:aws:s3:::" + Bucket + "/" + prefix + "k", Principal);
                if (acl != null)
                {
                    request.WithContext("s3:x-amz-acl", acl);
                }

                return bucket
                    ? evaluator.Evaluate(Array.Empty<NamedPolicy>(), named, request).Decision
                    : evaluator.Evaluate(new[] { named }, null, request).Decision;
            }

            Assert.Equal(Decision.Allowed, Put("bucket-owner-full-control"));
            Assert.Equal(Decision.ExplicitDeny, Put(null));
            Assert.Equal(Decision.ExplicitDeny, Put("private"));
            Assert.Equal(Decision.ExplicitDeny, Put("public-read"));
        }

        // ---------------------------------------------------------------- every setup

        [Theory]
        [MemberData(nameof(SetupNames))]
        public void Setup_DeniesExplicitlyOnlyThroughItsHardeningAndGrantsNothingOnTheOtherBucket(string setupName)
        {
            // Issue 13 changed this test: it asserted that no probe is an explicit deny. Hardened presets now carry Deny
            // statements (they must hold on Ceph RGW, where the writer owns its objects); those are the only source of
            // explicit denies, and only hardened presets have any.
            AccessMatrix matrix = BuildMatrix(setupName);
            bool hardened = PresetCatalog.Get(Setups[setupName].Preset).Hardened;

            Assert.NotEmpty(matrix.Entries);
            var explicitDenies = matrix.Entries.Where(e => e.Decision == Decision.ExplicitDeny).ToList();
            if (hardened)
            {
                Assert.NotEmpty(explicitDenies);
                Assert.All(explicitDenies, e => Assert.Matches(@"\((DenyPublicAcl|DenyWithoutBucketOwnerFullControl|DenyReadDeleteAndChanges|DenyCreateBucket)\)$", e.DecidedBy!));
            }
            else
            {
                Assert.Empty(explicitDenies);
            }

            Assert.Contains(matrix.Entries, e => e.ResourceKind == ResourceKinds.OtherBucket);
            Assert.Contains(matrix.Entries, e => e.ResourceKind == ResourceKinds.OtherBucketObject);
            var leaks = matrix.Allowed
                .Where(e => e.ResourceKind == ResourceKinds.OtherBucket || e.ResourceKind == ResourceKinds.OtherBucketObject)
                .Select(e => e.ToString() + " by " + e.DecidedBy)
                .ToList();
            Assert.True(leaks.Count == 0, setupName + " allows on the other bucket: " + string.Join("; ", leaks));
        }

        [Theory]
        [MemberData(nameof(SetupNames))]
        public void Setup_DenyStatementsTakeAwayNothingTheAllowsGrant(string setupName)
        {
            // The same preset with its Deny statements removed must allow exactly the same probes: on AWS the hardening
            // only turns implicit denies into explicit ones.
            Setup setup = Setups[setupName];
            var options = new PresetOptions { BucketName = Bucket, PrincipalArn = PrincipalArn };
            setup.Configure(options);
            PolicyDocument doc = PresetCatalog.Build(setup.Preset, options);
            PolicyDocument allowsOnly = PresetCatalog.Build(setup.Preset, options);
            allowsOnly.Statements.RemoveAll(s => s.Effect == PolicyEffect.Deny);
            Assert.Equal(PresetCatalog.Get(setup.Preset).Hardened, allowsOnly.Statements.Count < doc.Statements.Count);

            var withDenies = new HashSet<string>(BuildMatrix(setupName).Allowed.Select(e => e.ToString()));
            var withoutDenies = new HashSet<string>(MatrixOf(setup, options, allowsOnly).Allowed.Select(e => e.ToString()));
            Assert.Equal(withoutDenies.OrderBy(x => x, StringComparer.Ordinal), withDenies.OrderBy(x => x, StringComparer.Ordinal));
        }

        [Fact]
        public void DenyCheckCanFail_ADenyOnAnAllowedActionIsNoticed()
        {
            PolicyDocument doc = PresetCatalog.Build("UploadOnly", new PresetOptions { BucketName = Bucket });
            doc.Statements.Single(s => s.Sid == "DenyReadDeleteAndChanges").Actions.Add("s3:PutObject");
            AccessMatrix matrix = AccessMatrixBuilder.Build(new[] { new NamedPolicy("UploadOnly", doc) }, null, new MatrixOptions(Bucket, "backup/", Principal));
            Assert.DoesNotContain(matrix.Allowed, e => e.Action == "s3:PutObject");
        }

        [Fact]
        public void ExactComparisonNoticesAnExtraGrantAndAMissingOne()
        {
            // The comparison used above must be able to fail: add s3:GetObject to UploadOnly and expect s3:DeleteObject.
            PolicyDocument doc = PresetCatalog.Build("UploadOnly", new PresetOptions { BucketName = Bucket });
            doc.Statements.RemoveAll(s => s.Effect == PolicyEffect.Deny); // issue 13: the hardening would deny the added grant
            doc.Statements[0].Actions.Add("s3:GetObject");
            AccessMatrix matrix = AccessMatrixBuilder.Build(
                new[] { new NamedPolicy("UploadOnly", doc) }, null, new MatrixOptions(Bucket, "backup/", Principal));

            var (missing, unexpected) = Diff(matrix, Expect(OnObjectsInPrefix("s3:PutObject", "s3:DeleteObject")));
            Assert.Equal(new[] { new ExpectedEntry("s3:DeleteObject", ResourceKinds.ObjectInPrefix, null) }, missing);
            Assert.Equal(new[] { new ExpectedEntry("s3:GetObject", ResourceKinds.ObjectInPrefix, null) }, unexpected);
        }

        // ---------------------------------------------------------------- helpers

        private static AccessMatrix AssertAllowedExactly(string setupName, params IEnumerable<ExpectedEntry>[] expectedParts)
        {
            AccessMatrix matrix = BuildMatrix(setupName);
            HashSet<ExpectedEntry> expected = Expect(expectedParts);
            var (missing, unexpected) = Diff(matrix, expected);
            if (missing.Count > 0 || unexpected.Count > 0)
            {
                var byKey = matrix.Entries.ToLookup(e => new ExpectedEntry(e.Action, e.ResourceKind, e.ContextDescription));
                var lines = new List<string> { setupName + ": the allowed set differs from the intent." };
                foreach (ExpectedEntry m in missing)
                {
                    AccessMatrixEntry? entry = byKey[m].FirstOrDefault();
                    lines.Add("  missing:    " + m + (entry == null ? " (no such probe in the matrix)" : " is " + entry.Decision + ": " + entry.Reason));
                }

                foreach (ExpectedEntry u in unexpected)
                {
                    lines.Add("  unexpected: " + u + " allowed by " + byKey[u].First().DecidedBy);
                }

                Assert.Fail(string.Join(Environment.NewLine, lines));
            }

            // Everything not allowed is an implicit deny, or (issue 13: hardened presets) an explicit deny by one of the
            // preset's own Deny statements.
            Assert.All(
                matrix.Entries.Where(e => e.Decision != Decision.Allowed),
                e => Assert.True(
                    e.Decision == Decision.ImplicitDeny || (e.Decision == Decision.ExplicitDeny && e.DecidedBy!.Contains("(Deny", StringComparison.Ordinal)),
                    e + " by " + e.DecidedBy));
            return matrix;
        }

        private static (List<ExpectedEntry> Missing, List<ExpectedEntry> Unexpected) Diff(AccessMatrix matrix, HashSet<ExpectedEntry> expected)
        {
            var actual = new HashSet<ExpectedEntry>(matrix.Allowed.Select(e => new ExpectedEntry(e.Action, e.ResourceKind, e.ContextDescription)));
            var missing = expected.Where(e => !actual.Contains(e)).OrderBy(e => e.ToString(), StringComparer.Ordinal).ToList();
            var unexpected = actual.Where(e => !expected.Contains(e)).OrderBy(e => e.ToString(), StringComparer.Ordinal).ToList();
            return (missing, unexpected);
        }

        private static AccessMatrix BuildMatrix(string setupName)
        {
            Setup setup = Setups[setupName];
            var options = new PresetOptions { BucketName = Bucket, PrincipalArn = PrincipalArn };
            setup.Configure(options);
            PolicyDocument doc = PresetCatalog.Build(setup.Preset, options);
            return MatrixOf(setup, options, doc);
        }

        private static AccessMatrix MatrixOf(Setup setup, PresetOptions options, PolicyDocument doc)
        {
            PresetPolicyKind kind = options.Kind ?? PresetCatalog.Get(setup.Preset).DefaultKind;
            var matrixOptions = new MatrixOptions(Bucket, setup.MatrixPrefix, Principal);
            if (kind == PresetPolicyKind.Bucket)
            {
                return AccessMatrixBuilder.Build(Array.Empty<NamedPolicy>(), new NamedPolicy("BucketPolicy", doc, isResourcePolicy: true), matrixOptions);
            }

            return AccessMatrixBuilder.Build(new[] { new NamedPolicy(setup.Preset, doc) }, null, matrixOptions);
        }

        private static HashSet<ExpectedEntry> Expect(params IEnumerable<ExpectedEntry>[] parts)
        {
            var set = new HashSet<ExpectedEntry>();
            foreach (ExpectedEntry entry in parts.SelectMany(p => p))
            {
                Assert.True(set.Add(entry), "The expected set lists " + entry + " twice.");
            }

            return set;
        }

        private static IEnumerable<ExpectedEntry> Concat(params IEnumerable<ExpectedEntry>[] parts) => parts.SelectMany(p => p).ToList();

        private static IEnumerable<ExpectedEntry> OnBucket(params string[] actions) =>
            actions.Select(a => new ExpectedEntry(a, ResourceKinds.Bucket, null));

        private static IEnumerable<ExpectedEntry> OnObjectsInPrefix(params string[] actions) =>
            actions.Select(a => new ExpectedEntry(a, ResourceKinds.ObjectInPrefix, null));

        private static IEnumerable<ExpectedEntry> OnAllResources(params string[] actions) =>
            actions.Select(a => new ExpectedEntry(a, ResourceKinds.AllResources, null));

        private static IEnumerable<ExpectedEntry> ListBucketIn(params string[] contexts) =>
            contexts.Select(c => new ExpectedEntry("s3:ListBucket", ResourceKinds.ListContext, c));

        /// <summary>One allowed probe: action (exact catalogue spelling), resource kind, list context or null.</summary>
        private sealed record ExpectedEntry(string Action, string ResourceKind, string? Context)
        {
            public override string ToString() => Action + " on " + ResourceKind + (Context == null ? string.Empty : " [" + Context + "]");
        }

        private sealed record Setup(string Preset, string MatrixPrefix, Action<PresetOptions> Configure);
    }
}
