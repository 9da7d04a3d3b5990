using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Catalog
{
    public class S3ActionCatalogTests
    {
        private static S3ActionCatalog Catalog => S3ActionCatalog.Default;

        [Fact]
        public void Default_LoadsAtLeast180DistinctActions()
        {
            Assert.True(Catalog.Actions.Count >= 180, $"only {Catalog.Actions.Count} actions");
            Assert.Equal(Catalog.Actions.Count, Catalog.Actions.Select(a => a.Name.ToLowerInvariant()).Distinct().Count());
            Assert.All(Catalog.Actions, a => Assert.StartsWith("s3:", a.Name));
        }

        [Fact]
        public void Default_RecordsSourceAndDate()
        {
            Assert.Contains("Service Authorization Reference", Catalog.Source);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", Catalog.Retrieved);
        }

        [Fact]
        public void Default_IsTheSameInstanceAcrossThreads()
        {
            var seen = new S3ActionCatalog[8];
            Parallel.For(0, seen.Length, i => seen[i] = S3ActionCatalog.Default);
            Assert.All(seen, c => Assert.Same(seen[0], c));
        }

        [Fact]
        public void EveryAction_HasAKnownAccessLevel()
        {
            var levels = new[] { "List", "Read", "Write", "Permissions management", "Tagging" };
            Assert.All(Catalog.Actions, a => Assert.Contains(a.AccessLevel, levels));
        }

        [Theory]
        [InlineData("s3:ListBucket", S3ResourceType.Bucket)]
        [InlineData("s3:PutObject", S3ResourceType.Object)]
        [InlineData("s3:GetObject", S3ResourceType.Object)]
        [InlineData("s3:GetBucketLocation", S3ResourceType.Bucket)]
        [InlineData("s3:ListBucketMultipartUploads", S3ResourceType.Bucket)]
        [InlineData("s3:ListMultipartUploadParts", S3ResourceType.Object)]
        [InlineData("s3:AbortMultipartUpload", S3ResourceType.Object)]
        [InlineData("s3:DeleteObjectVersion", S3ResourceType.Object)]
        [InlineData("s3:PutObjectRetention", S3ResourceType.Object)]
        [InlineData("s3:BypassGovernanceRetention", S3ResourceType.Object)]
        [InlineData("s3:PutLifecycleConfiguration", S3ResourceType.Bucket)]
        [InlineData("s3:PutBucketVersioning", S3ResourceType.Bucket)]
        [InlineData("s3:CreateBucket", S3ResourceType.Bucket)]
        [InlineData("s3:GetAccessPointPolicy", S3ResourceType.AccessPoint)]
        [InlineData("s3:DescribeJob", S3ResourceType.Job)]
        [InlineData("s3:GetStorageLensGroup", S3ResourceType.StorageLens)]
        [InlineData("s3:GetAccessGrant", S3ResourceType.AccessGrants)]
        [InlineData("s3:GetMultiRegionAccessPoint", S3ResourceType.MultiRegionAccessPoint)]
        [InlineData("s3:GetAccessPointForObjectLambda", S3ResourceType.ObjectLambdaAccessPoint)]
        public void KeyAction_HasExactlyTheExpectedResourceType(string name, S3ResourceType expected)
        {
            Assert.True(Catalog.TryGet(name, out S3ActionInfo info), name + " missing");
            Assert.Equal(new[] { expected }, info.ResourceTypes);
            Assert.True(info.AppliesTo(expected));
            Assert.False(info.AppliesTo(S3ResourceType.Any));
        }

        [Theory]
        [InlineData("s3:ListAllMyBuckets")]
        [InlineData("s3:CreateJob")]
        [InlineData("s3:ListJobs")]
        [InlineData("s3:GetAccountPublicAccessBlock")]
        public void AccountLevelAction_SupportsOnlyStar(string name)
        {
            Assert.True(Catalog.TryGet(name, out S3ActionInfo info));
            Assert.Empty(info.ResourceTypes);
            Assert.True(info.SupportsOnlyAnyResource);
            Assert.True(info.AppliesTo(S3ResourceType.Any));
            Assert.False(info.AppliesTo(S3ResourceType.Bucket));
        }

        [Fact]
        public void ListBucket_SupportsPrefixAndDelimiter()
        {
            Assert.True(Catalog.TryGet("s3:ListBucket", out S3ActionInfo info));
            Assert.Contains("s3:prefix", info.ConditionKeys);
            Assert.Contains("s3:delimiter", info.ConditionKeys);
            Assert.Contains("s3:max-keys", info.ConditionKeys);
            Assert.True(info.SupportsConditionKey("S3:Prefix"));
            Assert.False(info.SupportsConditionKey("s3:x-amz-acl"));
            Assert.Equal("List", info.AccessLevel);
        }

        [Fact]
        public void PutObject_SupportsUploadConditionKeys()
        {
            Assert.True(Catalog.TryGet("s3:PutObject", out S3ActionInfo info));
            foreach (string key in new[] { "s3:x-amz-acl", "s3:x-amz-server-side-encryption", "s3:if-none-match", "s3:signatureversion", "s3:authType", "s3:TlsVersion", "s3:x-amz-content-sha256", "s3:RequestObjectTagKeys" })
            {
                Assert.True(info.SupportsConditionKey(key), key);
            }

            Assert.False(info.SupportsConditionKey("s3:prefix"));
            Assert.False(info.SupportsConditionKey("s3:versionid"));
        }

        [Fact]
        public void TagStyleKeys_MatchAnyTagName()
        {
            Assert.True(Catalog.TryGet("s3:GetObject", out S3ActionInfo get));
            Assert.Contains("s3:ExistingObjectTag/<key>", get.ConditionKeys);
            Assert.True(get.SupportsConditionKey("s3:ExistingObjectTag/classification"));
            Assert.False(get.SupportsConditionKey("s3:ExistingObjectTag/"));
            Assert.True(Catalog.TryGet("s3:DeleteObjectVersion", out S3ActionInfo delVer));
            Assert.True(delVer.SupportsConditionKey("s3:versionid"));
        }

        [Theory]
        [InlineData("s3:HeadBucket")]
        [InlineData("s3:PutObjectAclVersion")]
        [InlineData("s3:HeadObject")]
        [InlineData("s3:DeleteBucketOwnershipControls")]
        [InlineData("s3:AbortMultipartUploads3:ListMultipartUploadParts")]
        [InlineData("s3:*")]
        [InlineData("")]
        public void NonActions_AreAbsent(string name)
        {
            Assert.False(Catalog.TryGet(name, out _));
        }

        [Theory]
        [InlineData("s3:getobject")]
        [InlineData("S3:GETOBJECT")]
        [InlineData("GetObject")]
        public void TryGet_IsCaseInsensitiveAndAcceptsBareName(string name)
        {
            Assert.True(Catalog.TryGet(name, out S3ActionInfo info));
            Assert.Equal("s3:GetObject", info.Name);
        }

        [Fact]
        public void Match_PutStar_ReturnsOnlyPutActions()
        {
            var puts = Catalog.Match("s3:Put*");
            Assert.True(puts.Count > 30);
            Assert.All(puts, a => Assert.StartsWith("s3:Put", a.Name));
            Assert.Contains(puts, a => a.Name == "s3:PutObject");
            Assert.Equal(Catalog.Actions.Count(a => a.Name.StartsWith("s3:Put", StringComparison.Ordinal)), puts.Count);
        }

        [Fact]
        public void Match_HandlesStarQuestionMarkCaseAndOtherServices()
        {
            Assert.Equal(Catalog.Actions.Count, Catalog.Match("s3:*").Count);
            Assert.Equal(Catalog.Actions.Count, Catalog.Match("*").Count);
            Assert.Equal(new[] { "s3:GetObject" }, Catalog.Match("S3:getobjec?").Select(a => a.Name));
            Assert.Equal(new[] { "s3:GetObject" }, Catalog.Match("s3:GetObject").Select(a => a.Name));
            Assert.Contains(Catalog.Match("s3:*Object"), a => a.Name == "s3:DeleteObject");
            Assert.DoesNotContain(Catalog.Match("s3:*Object"), a => a.Name == "s3:DeleteObjectVersion");
            Assert.Empty(Catalog.Match("s3:Head*"));
            Assert.Empty(Catalog.Match("iam:*"));
            Assert.Empty(Catalog.Match("GetObject"));
            Assert.All(Catalog.Match("s3:Delete*"), a => Assert.StartsWith("s3:Delete", a.Name));
        }

        [Theory]
        [InlineData("aws:SecureTransport", true)]
        [InlineData("AWS:sourceip", true)]
        [InlineData("aws:PrincipalArn", true)]
        [InlineData("aws:username", true)]
        [InlineData("aws:userid", true)]
        [InlineData("aws:PrincipalAccount", true)]
        [InlineData("aws:CurrentTime", true)]
        [InlineData("aws:EpochTime", true)]
        [InlineData("aws:MultiFactorAuthPresent", true)]
        [InlineData("aws:RequestedRegion", true)]
        [InlineData("aws:PrincipalTag/team", true)]
        [InlineData("aws:ResourceTag/env", true)]
        [InlineData("aws:SourceVpce", true)]
        [InlineData("aws:SourceVpc", true)]
        [InlineData("aws:PrincipalTag/", false)]
        [InlineData("aws:NotAKey", false)]
        [InlineData("s3:prefix", false)]
        [InlineData("", false)]
        public void IsKnownGlobalConditionKey_RecognisesAwsKeys(string key, bool expected)
        {
            Assert.Equal(expected, S3ActionCatalog.IsKnownGlobalConditionKey(key));
        }

        [Fact]
        public void Parse_RejectsDocumentWithoutActions()
        {
            Assert.Throws<InvalidDataException>(() => S3ActionCatalog.Parse("{\"service\":\"s3\"}"));
        }

        [Fact]
        public void Parse_ReadsMinimalCatalogue()
        {
            var c = S3ActionCatalog.Parse("{\"actions\":[{\"name\":\"Zed\",\"accessLevel\":\"Read\",\"resourceTypes\":[\"bucket\",\"weird\"],\"conditionKeys\":[\"s3:prefix\"]}]}");
            Assert.True(c.TryGet("s3:zed", out S3ActionInfo info));
            Assert.Equal(new[] { S3ResourceType.Bucket, S3ResourceType.Other }, info.ResourceTypes);
            Assert.Equal(new[] { "bucket", "weird" }, info.ResourceTypeNames);
        }

        [Fact]
        public void Parse_DataFileGivesTheSameActionsAsTheEmbeddedDefault()
        {
            // Parse speed is not asserted here: bench/BackupIam.Bench prints the "catalogue-parse" timing.
            var parsed = S3ActionCatalog.Parse(File.ReadAllText(FindDataFile()));
            Assert.Equal(S3ActionCatalog.Default.Actions.Select(a => a.Name), parsed.Actions.Select(a => a.Name));
        }

        private static string FindDataFile()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "src", "BackupIam.Engine", "Data", "s3-actions.json")))
            {
                dir = dir.Parent;
            }

            if (dir == null)
            {
                using var stream = typeof(S3ActionCatalog).Assembly.GetManifestResourceStream(S3ActionCatalog.ResourceName)!;
                var tmp = Path.GetTempFileName();
                using (var f = File.Create(tmp))
                {
                    stream.CopyTo(f);
                }

                return tmp;
            }

            return Path.Combine(dir.FullName, "src", "BackupIam.Engine", "Data", "s3-actions.json");
        }
    }
}
