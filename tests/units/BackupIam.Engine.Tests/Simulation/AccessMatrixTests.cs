using BackupIam.Engine.Presets;
using BackupIam.Engine.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace BackupIam.Engine.Tests.Simulation
{
    public class AccessMatrixTests
    {
        private const string Account = "123456789012";
        private static readonly PrincipalInfo User = PrincipalInfo.ForUser(Account, "backup");
        private readonly ITestOutputHelper _output;

        public AccessMatrixTests(ITestOutputHelper output)
        {
            _output = output;
        }

        private static NamedPolicy Identity(string statementsJson) =>
            PolicyEvaluatorTests.Policy("Backup", "{\"Version\":\"2012-10-17\",\"Statement\":[" + statementsJson + "]}");

        [Fact]
        public void PutObjectOnlyPolicyAllowsExactlyOneEntry()
        {
            var policy = Identity("{\"Sid\":\"Put\",\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bkt/backup/*\"}");
            var matrix = AccessMatrixBuilder.Build(new[] { policy }, null, new MatrixOptions("bkt", "backup/", User));

            var allowed = Assert.Single(matrix.Allowed);
            Assert.Equal("s3:PutObject", allowed.Action);
            Assert.Equal(ResourceKinds.ObjectInPrefix, allowed.ResourceKind);
            Assert.Equal("arn:aws:s3:::bkt/backup/example-object", allowed.Resource);
            Assert.Equal("Backup/Statement[0] (Put)", allowed.DecidedBy);

            // The rest of PutObject's probes are denied.
            var put = matrix.Entries.Where(e => e.Action == "s3:PutObject").ToList();
            Assert.Contains(put, e => e.ResourceKind == ResourceKinds.ObjectOutsidePrefix && e.Decision == Decision.ImplicitDeny);
            Assert.Contains(put, e => e.ResourceKind == ResourceKinds.OtherBucketObject && e.Decision == Decision.ImplicitDeny);
        }

        [Fact]
        public void MatrixCoversCatalogueWithRepresentativeResources()
        {
            var matrix = AccessMatrixBuilder.Build(Array.Empty<NamedPolicy>(), null, new MatrixOptions("bkt", "backups/dataset-1/", User));
            Assert.All(matrix.Entries, e => Assert.Equal(Decision.ImplicitDeny, e.Decision));
            Assert.Empty(matrix.Allowed);

            var listBucket = matrix.Entries.Where(e => e.Action == "s3:ListBucket").ToList();
            Assert.Contains(listBucket, e => e.ResourceKind == ResourceKinds.Bucket && e.Resource == "arn:aws:s3:::bkt");
            Assert.Contains(listBucket, e => e.ResourceKind == ResourceKinds.OtherBucket && e.Resource == "arn:aws:s3:::other-bucket");
            Assert.Contains(listBucket, e => e.ResourceKind == ResourceKinds.ListContext);

            var get = matrix.Entries.Where(e => e.Action == "s3:GetObject").Select(e => (e.ResourceKind, e.Resource)).ToList();
            Assert.Equal(
                new[]
                {
                    (ResourceKinds.ObjectInPrefix, "arn:aws:s3:::bkt/backups/dataset-1/example-object"),
                    (ResourceKinds.ObjectOutsidePrefix, "arn:aws:s3:::bkt/outside-prefix/example-object"),
                    (ResourceKinds.OtherBucketObject, "arn:aws:s3:::other-bucket/backups/dataset-1/example-object"),
                },
                get);

            Assert.Contains(matrix.Entries, e => e.Action == "s3:ListAllMyBuckets" && e.ResourceKind == ResourceKinds.AllResources && e.Resource == "arn:aws:s3:::*");
            Assert.All(matrix.Entries.Where(e => e.ContextDescription != null), e => Assert.Equal("s3:ListBucket", e.Action));
            Assert.True(matrix.SkippedActionCount > 0);
            Assert.DoesNotContain(matrix.Entries, e => matrix.SkippedActions.Contains(e.Action));

            // Every catalogue action is either probed or counted as skipped.
            var probed = matrix.Entries.Select(e => e.Action).Distinct().Count();
            Assert.Equal(S3ActionCatalog.Default.Actions.Count, probed + matrix.SkippedActionCount);
        }

        [Fact]
        public void EmptyPrefixSkipsOutsideProbeAndPrefixContexts()
        {
            var matrix = AccessMatrixBuilder.Build(Array.Empty<NamedPolicy>(), null, new MatrixOptions("bkt", "", User));
            Assert.DoesNotContain(matrix.Entries, e => e.ResourceKind == ResourceKinds.ObjectOutsidePrefix);
            var contexts = matrix.Entries.Where(e => e.ResourceKind == ResourceKinds.ListContext).Select(e => e.ContextDescription).ToList();
            Assert.Equal(new[] { "no s3:prefix, no s3:delimiter", "s3:prefix=\"\" s3:delimiter=/" }, contexts);
        }

        [Fact]
        public void ListContextCasesForNestedPrefix()
        {
            var cases = AccessMatrixBuilder.ListContextCases("backups/dataset-1/")
                .Select(c => AccessMatrixBuilder.DescribeListContext(c.Prefix, c.Delimiter)).ToList();
            Assert.Equal(
                new[]
                {
                    "no s3:prefix, no s3:delimiter",
                    "s3:prefix=\"\" s3:delimiter=/",
                    "s3:prefix=\"\"",
                    "s3:prefix=backups/ s3:delimiter=/",
                    "s3:prefix=backups/",
                    "s3:prefix=backups/dataset-1/",
                    "s3:prefix=backups/dataset-1/ s3:delimiter=/",
                    "s3:prefix=backups/dataset-1/sub/",
                    "s3:prefix=backups/other/",
                    "s3:prefix=backups/other/ s3:delimiter=/",
                },
                cases);
        }

        private static NamedPolicy RclonePolicy() => Identity(
            "{\"Sid\":\"ListParents\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::bkt\"," +
            "\"Condition\":{\"StringEquals\":{\"s3:prefix\":[\"\",\"backups/\",\"backups/dataset-1/\"],\"s3:delimiter\":\"/\"}}}," +
            "{\"Sid\":\"ListSubtree\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::bkt\"," +
            "\"Condition\":{\"StringLike\":{\"s3:prefix\":\"backups/dataset-1/*\"}}}");

        [Fact]
        public void RcloneStyleListConditionsAllowParentsWithDelimiterAndSubtreeOnly()
        {
            var matrix = AccessMatrixBuilder.Build(new[] { RclonePolicy() }, null, new MatrixOptions("bkt", "backups/dataset-1/", User));
            var list = matrix.Entries.Where(e => e.ResourceKind == ResourceKinds.ListContext)
                .ToDictionary(e => e.ContextDescription!, e => e.Decision);

            var allowed = list.Where(p => p.Value == Decision.Allowed).Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
            Assert.Equal(
                new[]
                {
                    "s3:prefix=\"\" s3:delimiter=/",
                    "s3:prefix=backups/ s3:delimiter=/",
                    "s3:prefix=backups/dataset-1/",
                    "s3:prefix=backups/dataset-1/ s3:delimiter=/",
                    "s3:prefix=backups/dataset-1/sub/",
                }.OrderBy(k => k, StringComparer.Ordinal),
                allowed);
            Assert.Equal(Decision.ImplicitDeny, list["no s3:prefix, no s3:delimiter"]);
            Assert.Equal(Decision.ImplicitDeny, list["s3:prefix=\"\""]);
            Assert.Equal(Decision.ImplicitDeny, list["s3:prefix=backups/"]);
            Assert.Equal(Decision.ImplicitDeny, list["s3:prefix=backups/other/"]);
            Assert.Equal(Decision.ImplicitDeny, list["s3:prefix=backups/other/ s3:delimiter=/"]);

            // ListBucket without any context (plain Bucket probe) is refused too; nothing else is allowed.
            Assert.All(matrix.Allowed, e => Assert.Equal(ResourceKinds.ListContext, e.ResourceKind));
            Assert.Contains(matrix.Allowed, e => e.DecidedBy == "Backup/Statement[1] (ListSubtree)");
        }

        [Fact]
        public void CompareToListsUnexpectedAndMissingEntries()
        {
            var policy = Identity(
                "{\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\",\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::bkt/backup/*\"}");
            var matrix = AccessMatrixBuilder.Build(new[] { policy }, null, new MatrixOptions("bkt", "backup/", User));

            Assert.Empty(matrix.CompareTo(new (string, string, string?)[]
            {
                ("s3:PutObject", ResourceKinds.ObjectInPrefix, null),
                ("S3:GETOBJECT", ResourceKinds.ObjectInPrefix, null),
            }));

            var diffs = matrix.CompareTo(new (string, string, string?)[]
            {
                ("s3:PutObject", ResourceKinds.ObjectInPrefix, null),
                ("s3:DeleteObject", ResourceKinds.ObjectInPrefix, null),
                ("s3:NoSuchAction", ResourceKinds.Bucket, null),
            });
            Assert.Equal(3, diffs.Length);
            var unexpected = Assert.Single(diffs, d => !d.Expected);
            Assert.Equal("s3:GetObject", unexpected.Action);
            Assert.Equal(Decision.Allowed, unexpected.Actual);
            var denied = Assert.Single(diffs, d => d.Action == "s3:DeleteObject");
            Assert.True(denied.Expected);
            Assert.Equal(Decision.ImplicitDeny, denied.Actual);
            Assert.Contains("no such entry", Assert.Single(diffs, d => d.Action == "s3:NoSuchAction").Message);
        }

        [Fact]
        public void CompareToAnotherMatrix()
        {
            var options = new MatrixOptions("bkt", "backup/", User);
            var putOnly = AccessMatrixBuilder.Build(new[] { Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bkt/backup/*\"}") }, null, options);
            var putGet = AccessMatrixBuilder.Build(new[] { Identity("{\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\",\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::bkt/backup/*\"}") }, null, options);
            Assert.Empty(putOnly.CompareTo(putOnly));
            var extra = Assert.Single(putGet.CompareTo(putOnly));
            Assert.Equal("s3:GetObject", extra.Action);
            Assert.False(extra.Expected);
            var missing = Assert.Single(putOnly.CompareTo(putGet));
            Assert.Equal("s3:GetObject", missing.Action);
            Assert.True(missing.Expected);
        }

        [Fact]
        public void BucketPolicyWithPrincipalFeedsTheMatrix()
        {
            var bucketPolicy = PolicyEvaluatorTests.Policy("BucketPolicy",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Get\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + User.Arn + "\"}," +
                "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bkt/*\"}]}", resource: true);
            var matrix = AccessMatrixBuilder.Build(Array.Empty<NamedPolicy>(), bucketPolicy, new MatrixOptions("bkt", "backup/", User));
            var kinds = matrix.Allowed.Select(e => e.ResourceKind).OrderBy(k => k).ToList();
            Assert.Equal(new[] { ResourceKinds.ObjectInPrefix, ResourceKinds.ObjectOutsidePrefix }, kinds);

            var other = AccessMatrixBuilder.Build(Array.Empty<NamedPolicy>(), bucketPolicy, new MatrixOptions("bkt", "backup/", PrincipalInfo.ForUser(Account, "intruder")));
            Assert.Empty(other.Allowed);
        }

        [Fact]
        public void InvalidOptionsAreRefused()
        {
            var ex = Assert.Throws<BackupIam.Engine.Errors.InputValidationException>(
                () => AccessMatrixBuilder.Build(Array.Empty<NamedPolicy>(), null, new MatrixOptions("bkt", "backup", User)));
            Assert.Equal("PrefixInvalid", ex.ErrorId);
            Assert.Equal("Prefix", ex.ParameterName);
            Assert.Equal("BucketNameInvalid", Assert.Throws<BackupIam.Engine.Errors.InputValidationException>(
                () => AccessMatrixBuilder.Build(Array.Empty<NamedPolicy>(), null, new MatrixOptions("", "", User))).ErrorId);
            Assert.Equal("OtherBucketNameInvalid", Assert.Throws<BackupIam.Engine.Errors.InputValidationException>(
                () => AccessMatrixBuilder.Build(Array.Empty<NamedPolicy>(), null, new MatrixOptions("bkt", "", User) { OtherBucketName = "bkt" })).ErrorId);
        }

        [Fact]
        public void EveryPresetBuildsAMatrixThatAllowsSomething()
        {
            // Build speed is not asserted here: bench/BackupIam.Bench prints the "simulate-preset" timings (target: 5 ms median).
            foreach (var preset in PresetCatalog.All)
            {
                var options = new PresetOptions { BucketName = "bkt", Kind = PresetPolicyKind.Identity };
                var doc = PresetCatalog.Build(preset.Name, options);
                var named = new[] { new NamedPolicy(preset.Name, doc) };
                var matrix = AccessMatrixBuilder.Build(named, null, new MatrixOptions("bkt", preset.DefaultPrefix, User));
                Assert.NotEmpty(matrix.Entries);
                Assert.NotEmpty(matrix.Allowed);
                _output.WriteLine($"{preset.Name}: {matrix.Entries.Count} entries, allowed: " + string.Join("; ", matrix.Allowed));
            }
        }

        [Fact]
        public void RecursiveListingOfAParentLevelIsADifferenceFromRclone()
        {
            // The rclone parent statement without its s3:delimiter condition lets the client list the whole bucket recursively.
            var broken = Identity(
                "{\"Sid\":\"ListParents\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::bkt\"," +
                "\"Condition\":{\"StringEquals\":{\"s3:prefix\":[\"\",\"backups/\",\"backups/dataset-1/\"]}}}," +
                "{\"Sid\":\"ListSubtree\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::bkt\"," +
                "\"Condition\":{\"StringLike\":{\"s3:prefix\":\"backups/dataset-1/*\"}}}");
            var options = new MatrixOptions("bkt", "backups/dataset-1/", User);
            var differences = AccessMatrixBuilder.Build(new[] { broken }, null, options).CompareTo(AccessMatrixBuilder.Build(new[] { RclonePolicy() }, null, options));
            Assert.Contains(differences, d => d.ContextDescription == "s3:prefix=\"\"" && !d.Expected);
            Assert.Contains(differences, d => d.ContextDescription == "s3:prefix=backups/" && !d.Expected);
        }

        [Theory]
        [InlineData("*", true)]
        [InlineData("arn:aws:s3:::*", true)]
        [InlineData("arn:aws:s3:::bkt", false)]
        [InlineData("arn:aws:s3:::bkt/*", false)]
        public void ListAllMyBucketsIsGrantedByStarAndByTheS3Wildcard(string resource, bool allowed)
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:ListAllMyBuckets\",\"Resource\":\"" + resource + "\"}");
            var entry = AccessMatrixBuilder.Build(new[] { p }, null, new MatrixOptions("bkt", "", User)).Entries.Single(e => e.Action == "s3:ListAllMyBuckets");
            Assert.Equal(allowed ? Decision.Allowed : Decision.ImplicitDeny, entry.Decision);

            // The linter agrees: only the resources the simulator rejects are a ResourceTypeMismatch.
            var lint = BackupIam.Engine.Lint.PolicyLinter.Lint(p.Document, new BackupIam.Engine.Lint.LintOptions { NeedsBucketDiscovery = true, VersioningEnabled = true });
            Assert.Equal(!allowed, lint.Any(f => f.Id == BackupIam.Engine.Lint.FindingIds.ResourceTypeMismatch));
        }
    }
}
