using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Simulation
{
    public class MatrixScopeAndExpectationTests
    {
        private static readonly PrincipalInfo User = PrincipalInfo.ForUser("123456789012", "backup");

        private static PolicyDocument Doc(string statements) => PolicyJson.Parse("{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}");

        [Theory]
        [InlineData("\"arn:aws:s3:::b/backup/*\"", "backup/")]
        [InlineData("[\"arn:aws:s3:::b/backups/dataset-1/*\",\"arn:aws:s3:::b\"]", "backups/dataset-1/")]
        [InlineData("[\"arn:aws:s3:::b/a/x/*\",\"arn:aws:s3:::b/a/y/*\"]", "a/")]
        [InlineData("\"arn:aws:s3:::b/home/${aws:username}/*\"", "home/")]
        [InlineData("\"arn:aws:s3:::b/*\"", null)]
        [InlineData("[\"arn:aws:s3:::b/x/*\",\"arn:aws:s3:::b/y/*\"]", null)]
        [InlineData("\"arn:aws:s3:::other/backup/*\"", null)]
        public void PrefixIsReadFromTheObjectArns(string resources, string? expected)
        {
            var doc = Doc("{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":" + resources + "}");
            Assert.Equal(expected, MatrixScope.InferPrefix(new[] { doc }, "b"));
        }

        [Fact]
        public void BucketIsReadFromAllowsFirst()
        {
            var doc = Doc("{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::denied/*\"},{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::mine/backup/*\"}");
            Assert.Equal("mine", MatrixScope.InferBucketName(new[] { doc }));
            Assert.Null(MatrixScope.InferBucketName(new[] { Doc("{\"Effect\":\"Allow\",\"Action\":\"s3:ListAllMyBuckets\",\"Resource\":\"*\"}") }));
        }

        [Fact]
        public void PastedUploadOnlyPolicyMatchesThePresetOnceThePrefixIsInferred()
        {
            var pasted = Doc("{\"Sid\":\"UploadFilesToBackup\",\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::your-bucket-name/backup/*\"}");
            string prefix = MatrixScope.InferPrefix(new[] { pasted }, "your-bucket-name")!;
            var options = new MatrixOptions("your-bucket-name", prefix, User);
            var actual = AccessMatrixBuilder.Build(new[] { new NamedPolicy("P", pasted) }, null, options);
            Assert.Single(actual.Allowed);
            var preset = PresetCatalog.Build("UploadOnly", new PresetOptions { BucketName = "your-bucket-name", Prefix = prefix });
            Assert.Empty(actual.CompareTo(AccessMatrixBuilder.Build(new[] { new NamedPolicy("UploadOnly", preset) }, null, options)));
        }

        [Theory]
        [InlineData("s3:putobject", "s3:PutObject")]
        [InlineData("PutObject", "s3:PutObject")]
        [InlineData(" s3:ListBucket ", "s3:ListBucket")]
        public void RequestActionsResolveToCatalogueNames(string given, string expected)
        {
            Assert.Equal(expected, S3ActionCatalog.Default.ResolveRequestAction(given, "Action"));
        }

        [Fact]
        public void RequestActionsRefuseTyposAndPatterns()
        {
            var typo = Assert.Throws<InputValidationException>(() => S3ActionCatalog.Default.ResolveRequestAction("s3:PutObjec", "Action"));
            Assert.Equal("ActionUnknown", typo.ErrorId);
            Assert.Equal("Action", typo.ParameterName);
            Assert.Contains("s3:PutObject", typo.Message);
            var pattern = Assert.Throws<InputValidationException>(() => S3ActionCatalog.Default.ResolveRequestAction("s3:Put*", "Action"));
            Assert.Equal("ActionWildcardNotAllowed", pattern.ErrorId);
        }

        [Fact]
        public void DefaultResourcesFollowTheActionsResourceType()
        {
            var options = new MatrixOptions("bbb", "backup/", User);
            var catalog = S3ActionCatalog.Default;
            Assert.True(catalog.TryGet("s3:PutObject", out var put));
            Assert.Equal("arn:aws:s3:::bbb/backup/example-object", AccessMatrixBuilder.DefaultResourceFor(put, options, out string kind));
            Assert.Equal(ResourceKinds.ObjectInPrefix, kind);
            Assert.True(catalog.TryGet("s3:ListBucket", out var list));
            Assert.Equal("arn:aws:s3:::bbb", AccessMatrixBuilder.DefaultResourceFor(list, options, out kind));
            Assert.True(catalog.TryGet("s3:ListAllMyBuckets", out var all));
            Assert.Equal("arn:aws:s3:::*", AccessMatrixBuilder.DefaultResourceFor(all, options, out kind));
            Assert.Equal(ResourceKinds.AllResources, kind);
        }

        [Fact]
        public void MatrixContextIsAddedToEveryProbe()
        {
            var policy = new NamedPolicy("P", Doc("{\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\",\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::bbb\",\"arn:aws:s3:::bbb/*\"],\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}}"));
            var options = new MatrixOptions("bbb", "backup/", User);
            Assert.Empty(AccessMatrixBuilder.Build(new[] { policy }, null, options).Allowed);
            options.Context = new Dictionary<string, IReadOnlyList<string>> { ["aws:SourceIp"] = new[] { "203.0.113.5" }, ["s3:prefix"] = new[] { "ignored/" } };
            var matrix = AccessMatrixBuilder.Build(new[] { policy }, null, options);
            Assert.Contains(matrix.Allowed, e => e.Action == "s3:PutObject" && e.ResourceKind == ResourceKinds.ObjectInPrefix);
            Assert.Contains(matrix.Allowed, e => e.ResourceKind == ResourceKinds.ListContext && e.ContextDescription == "s3:prefix=backup/ s3:delimiter=/");
        }

        [Fact]
        public void ActionListReportsExpectedActionsAllowedOutsideTheBucketAndPrefix()
        {
            var putAnywhere = new NamedPolicy("P", Doc("{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}"));
            var matrix = AccessMatrixBuilder.Build(new[] { putAnywhere }, null, new MatrixOptions("my-bucket", "backup/", User));
            var differences = ActionListExpectation.Compare(matrix, new[] { "s3:PutObject" });
            Assert.Equal(
                new[] { ResourceKinds.ObjectOutsidePrefix, ResourceKinds.OtherBucketObject },
                differences.Select(d => d.ResourceKind).OrderBy(k => k, StringComparer.Ordinal));
            Assert.All(differences, d => Assert.False(d.Expected));

            var scoped = new NamedPolicy("S", Doc("{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::my-bucket/backup/*\"}"));
            Assert.Empty(ActionListExpectation.Compare(AccessMatrixBuilder.Build(new[] { scoped }, null, new MatrixOptions("my-bucket", "backup/", User)), new[] { "s3:PutObject" }));
        }

        [Fact]
        public void ActionListPatternsPermitTheirMatches()
        {
            var rwd = new NamedPolicy("P", PresetCatalog.Build("ReadWriteDelete", new PresetOptions { BucketName = "my-bucket" }));
            var matrix = AccessMatrixBuilder.Build(new[] { rwd }, null, new MatrixOptions("my-bucket", "", User));
            Assert.Empty(ActionListExpectation.Compare(matrix, new[] { "s3:*Object" }));
            var unknown = Assert.Single(ActionListExpectation.Compare(matrix, new[] { "s3:*Object", "s3:Nothing*" }));
            Assert.Contains("matches no action", unknown.Message);
            var one = ActionListExpectation.Compare(matrix, new[] { "PutObject" });
            Assert.Equal(new[] { "s3:DeleteObject", "s3:GetObject" }, one.Select(d => d.Action).Distinct().OrderBy(a => a, StringComparer.Ordinal));
        }
    }
}
