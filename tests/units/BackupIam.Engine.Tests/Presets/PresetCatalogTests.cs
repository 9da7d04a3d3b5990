using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using Xunit;

namespace BackupIam.Engine.Tests.Presets
{
    public class PresetCatalogTests
    {
        private const string Bucket = "my-backup-bucket";
        private const string UserArn = "arn:aws:iam::123456789012:user/backup";

        private static PolicyDocument Build(string name, Action<PresetOptions>? configure = null)
        {
            var o = new PresetOptions { BucketName = Bucket };
            configure?.Invoke(o);
            return PresetCatalog.Build(name, o);
        }

        /// <summary>
        /// The preset's Allow statements only. Issue 13 appended explicit Deny statements to the hardened presets; the
        /// snapshots below pin the Allow part as before, and <see cref="HardeningSnapshot"/> pins the Deny part.
        /// </summary>
        private static PolicyDocument Allows(string name, Action<PresetOptions>? configure = null)
        {
            PolicyDocument doc = Build(name, configure);
            doc.Statements.RemoveAll(s => s.Effect == PolicyEffect.Deny);
            return doc;
        }

        private static PolicyStatement Sid(PolicyDocument doc, string sid) => Assert.Single(doc.Statements, s => s.Sid == sid);

        private static List<string> AllActions(PolicyDocument doc) => doc.Statements.SelectMany(s => s.Actions).ToList();

        [Fact]
        public void CatalogListsTwelvePresetsCoveringFiveSetupsFourToolsAndTheOwnersRestore()
        {
            Assert.Equal(
                new[] { "UploadOnly", "WriteOnly", "ReadWriteDelete", "Rclone", "UpdraftPlus", "UpdraftPlusSecure", "RcloneCopy", "Restic", "ResticNoDelete", "S3cmd", "AwsCli", "OwnerRestore" },
                PresetCatalog.All.Select(p => p.Name));
            Assert.Equal(new[] { 1, 2, 3, 4, 5, 5, 0, 0, 0, 0, 0, 0 }, PresetCatalog.All.Select(p => p.Setup));
            Assert.Equal(new[] { "", "", "", "rclone", "", "", "rclone", "restic", "restic", "s3cmd", "aws", "" }, PresetCatalog.All.Select(p => p.Tool));
            Assert.Equal(
                new[] { "UploadOnly", "WriteOnly", "Rclone", "UpdraftPlusSecure", "RcloneCopy", "Restic", "ResticNoDelete", "S3cmd", "AwsCli" },
                PresetCatalog.All.Where(p => p.Hardened).Select(p => p.Name));
            foreach (PresetDefinition p in PresetCatalog.All)
            {
                Assert.False(string.IsNullOrWhiteSpace(p.SetupTitle));
                Assert.False(string.IsNullOrWhiteSpace(p.Source));
                Assert.False(string.IsNullOrWhiteSpace(p.Description));
                Assert.Contains(p.DefaultKind, p.SupportedKinds);
            }
        }

        [Fact]
        public void GetIsCaseInsensitiveAndUnknownNamesListValidOnes()
        {
            Assert.Equal("WriteOnly", PresetCatalog.Get("writeonly").Name);
            var ex = Assert.Throws<InputValidationException>(() => PresetCatalog.Get("Duplicity"));
            Assert.Equal("PresetNotFound", ex.ErrorId);
            Assert.Contains("Duplicity", ex.Message);
            Assert.Contains("UploadOnly, WriteOnly, ReadWriteDelete, Rclone, UpdraftPlus, UpdraftPlusSecure, RcloneCopy, Restic, ResticNoDelete, S3cmd, AwsCli, OwnerRestore", ex.Message);
        }

        [Fact]
        public void UploadOnlySnapshot()
        {
            const string expected =
                "{\n" +
                "    \"Version\": \"2012-10-17\",\n" +
                "    \"Statement\": [\n" +
                "        {\n" +
                "            \"Sid\": \"UploadFilesToBackup\",\n" +
                "            \"Effect\": \"Allow\",\n" +
                "            \"Action\": \"s3:PutObject\",\n" +
                "            \"Resource\": \"arn:aws:s3:::my-backup-bucket/backup/*\"\n" +
                "        }\n" +
                "    ]\n" +
                "}";
            Assert.Equal(expected, PolicyJson.ToJson(Allows("UploadOnly")));
            Assert.Equal("backup/", PresetCatalog.Get("UploadOnly").DefaultPrefix);
            Assert.Equal(PresetPolicyKind.Identity, PresetCatalog.Get("UploadOnly").DefaultKind);
        }

        [Fact]
        public void UploadOnlyWithEmptyPrefixCoversWholeBucket()
        {
            PolicyDocument doc = Allows("UploadOnly", o => o.Prefix = "");
            Assert.Equal(new[] { "arn:aws:s3:::my-backup-bucket/*" }, Assert.Single(doc.Statements).Resources);
            doc = Allows("UploadOnly", o => o.Prefix = "/nightly");
            Assert.Equal(new[] { "arn:aws:s3:::my-backup-bucket/nightly/*" }, Assert.Single(doc.Statements).Resources);
        }

        [Fact]
        public void WriteOnlyBucketPolicySnapshot()
        {
            const string expected =
                "{\n" +
                "    \"Version\": \"2012-10-17\",\n" +
                "    \"Statement\": [\n" +
                "        {\n" +
                "            \"Sid\": \"BucketPermissions\",\n" +
                "            \"Effect\": \"Allow\",\n" +
                "            \"Principal\": {\n" +
                "                \"AWS\": \"arn:aws:iam::123456789012:user/backup\"\n" +
                "            },\n" +
                "            \"Action\": [\n" +
                "                \"s3:ListBucket\",\n" +
                "                \"s3:GetBucketLocation\"\n" +
                "            ],\n" +
                "            \"Resource\": \"arn:aws:s3:::my-backup-bucket\"\n" +
                "        },\n" +
                "        {\n" +
                "            \"Sid\": \"ObjectPermissions\",\n" +
                "            \"Effect\": \"Allow\",\n" +
                "            \"Principal\": {\n" +
                "                \"AWS\": \"arn:aws:iam::123456789012:user/backup\"\n" +
                "            },\n" +
                "            \"Action\": [\n" +
                "                \"s3:PutObject\",\n" +
                "                \"s3:PutObjectAcl\"\n" +
                "            ],\n" +
                "            \"Resource\": \"arn:aws:s3:::my-backup-bucket/*\"\n" +
                "        }\n" +
                "    ]\n" +
                "}";
            Assert.Equal(expected, PolicyJson.ToJson(Allows("WriteOnly", o => o.PrincipalArn = UserArn)));
        }

        [Fact]
        public void WriteOnlyIdentityCompactSnapshotAndNoListBucket()
        {
            Assert.Equal(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"BucketPermissions\",\"Effect\":\"Allow\",\"Action\":[\"s3:ListBucket\",\"s3:GetBucketLocation\"],\"Resource\":\"arn:aws:s3:::my-backup-bucket\"},{\"Sid\":\"ObjectPermissions\",\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\",\"s3:PutObjectAcl\"],\"Resource\":\"arn:aws:s3:::my-backup-bucket/db/*\"}]}",
                PolicyJson.ToJson(Allows("WriteOnly", o => { o.Kind = PresetPolicyKind.Identity; o.Prefix = "db"; }), indented: false));

            PolicyDocument noList = Allows("WriteOnly", o => { o.PrincipalArn = UserArn; o.NoListBucket = true; });
            Assert.Equal(new[] { "s3:GetBucketLocation" }, Sid(noList, "BucketPermissions").Actions);
            Assert.DoesNotContain("s3:ListBucket", AllActions(noList));
        }

        [Fact]
        public void WriteOnlyDescriptionWarnsAboutHeadObjectAndAcls()
        {
            string d = PresetCatalog.Get("WriteOnly").Description;
            Assert.Contains("HeadObject", d);
            Assert.Contains("404", d);
            Assert.Contains("403", d);
            Assert.Contains("s3:PutObjectAcl", d);
            Assert.Contains("public", d);
            Assert.Contains("ACLs are disabled", d);
        }

        [Fact]
        public void ReadWriteDeleteSnapshot()
        {
            Assert.Equal(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S3BackupPolicy\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\",\"s3:DeleteObject\"],\"Resource\":\"arn:aws:s3:::my-backup-bucket/*\"}]}",
                PolicyJson.ToJson(Build("ReadWriteDelete"), indented: false));
            Assert.Equal(
                new[] { "arn:aws:s3:::my-backup-bucket/site/*" },
                Assert.Single(Build("ReadWriteDelete", o => o.Prefix = "site/").Statements).Resources);
        }

        [Fact]
        public void RcloneSnapshot()
        {
            Assert.Equal(
                "{\"Version\":\"2012-10-17\",\"Statement\":[" +
                "{\"Sid\":\"ListParentLevels\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::my-backup-bucket\",\"Condition\":{\"StringEquals\":{\"s3:prefix\":[\"\",\"backups/\",\"backups/dataset-1/\"],\"s3:delimiter\":\"/\"}}}," +
                "{\"Sid\":\"ListInsidePrefix\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::my-backup-bucket\",\"Condition\":{\"StringLike\":{\"s3:prefix\":\"backups/dataset-1/*\"}}}," +
                // Issue 13: the bucket root listed with no prefix sent (rclone lsd remote:bucket), one level only.
                "{\"Sid\":\"ListBucketRoot\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::my-backup-bucket\",\"Condition\":{\"Null\":{\"s3:prefix\":\"true\"},\"StringEquals\":{\"s3:delimiter\":\"/\"}}}," +
                "{\"Sid\":\"ObjectsInsidePrefix\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\",\"s3:DeleteObject\"],\"Resource\":\"arn:aws:s3:::my-backup-bucket/backups/dataset-1/*\"}]}",
                PolicyJson.ToJson(Allows("Rclone"), indented: false));
        }

        [Theory]
        [InlineData("photos", new[] { "", "photos/" })]
        [InlineData("backups/dataset-1/", new[] { "", "backups/", "backups/dataset-1/" })]
        [InlineData("a/b/c", new[] { "", "a/", "a/b/", "a/b/c/" })]
        public void RcloneParentLevelsAtEveryDepth(string prefix, string[] levels)
        {
            PolicyDocument doc = Build("Rclone", o => o.Prefix = prefix);
            PolicyStatement parents = Sid(doc, "ListParentLevels");
            ConditionClause p = Assert.Single(parents.Conditions, c => c.Key == "s3:prefix");
            Assert.Equal("StringEquals", p.Operator);
            Assert.Equal(levels, p.Values);
            ConditionClause d = Assert.Single(parents.Conditions, c => c.Key == "s3:delimiter");
            Assert.Equal(new[] { "/" }, d.Values);
            string last = levels[levels.Length - 1];
            Assert.Equal(new[] { last + "*" }, Assert.Single(Sid(doc, "ListInsidePrefix").Conditions).Values);
            Assert.Equal(new[] { "arn:aws:s3:::my-backup-bucket/" + last + "*" }, Sid(doc, "ObjectsInsidePrefix").Resources);
        }

        [Fact]
        public void RcloneRequiresPrefix()
        {
            var ex = Assert.Throws<InputValidationException>(() => Build("Rclone", o => o.Prefix = ""));
            Assert.Equal("PrefixInvalid", ex.ErrorId);
            Assert.Equal("Prefix", ex.ParameterName);
        }

        [Fact]
        public void RcloneOptionsAddOnlyWhatTheyName()
        {
            List<string> baseline = AllActions(Allows("Rclone"));

            PolicyDocument acl = Build("Rclone", o => o.AllowObjectAcl = true);
            Assert.Equal(new[] { "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl" }, Sid(acl, "ObjectsInsidePrefix").Actions);
            Assert.Equal(4, Allows("Rclone", o => o.AllowObjectAcl = true).Statements.Count); // issue 13: + ListBucketRoot
            Assert.DoesNotContain("s3:PutObjectAcl", Sid(acl, "DenyReadDeleteAndChanges").Actions);
            Assert.Contains("s3:PutObjectAcl", Sid(Build("Rclone"), "DenyReadDeleteAndChanges").Actions);

            PolicyDocument mp = Build("Rclone", o => o.AllowMultipart = true);
            Assert.Equal(new[] { "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts" }, Sid(mp, "ObjectsInsidePrefix").Actions);
            PolicyStatement mpBucket = Sid(mp, "BucketOperations");
            Assert.Equal(new[] { "s3:ListBucketMultipartUploads" }, mpBucket.Actions);
            Assert.Equal(new[] { "arn:aws:s3:::my-backup-bucket" }, mpBucket.Resources);

            PolicyDocument disc = Build("Rclone", o => o.AllowBucketDiscovery = true);
            Assert.Equal(new[] { "s3:GetBucketLocation" }, Sid(disc, "BucketOperations").Actions);
            PolicyStatement all = Sid(disc, "ListAllBuckets");
            Assert.Equal(new[] { "s3:ListAllMyBuckets" }, all.Actions);
            Assert.Equal(new[] { "*" }, all.Resources);

            PolicyDocument create = Build("Rclone", o => o.AllowCreateBucket = true);
            Assert.Equal(new[] { "s3:CreateBucket" }, Sid(create, "BucketOperations").Actions);
            Assert.Equal(new[] { "arn:aws:s3:::my-backup-bucket" }, Sid(create, "BucketOperations").Resources);
            Assert.DoesNotContain(create.Statements, s => s.Sid == "ListAllBuckets");
            Assert.DoesNotContain(create.Statements, s => s.Sid == "DenyCreateBucket");
            Assert.Contains(mp.Statements, s => s.Sid == "DenyCreateBucket");

            foreach (PolicyDocument d in new[] { acl, mp, disc, create })
            {
                Assert.All(baseline, a => Assert.Contains(a, AllActions(d)));
            }

            PolicyDocument everything = Build("Rclone", o => { o.AllowObjectAcl = o.AllowMultipart = o.AllowBucketDiscovery = o.AllowCreateBucket = true; });
            Assert.Equal(new[] { "s3:ListBucketMultipartUploads", "s3:GetBucketLocation", "s3:CreateBucket" }, Sid(everything, "BucketOperations").Actions);
            Assert.Equal(6, Allows("Rclone", o => { o.AllowObjectAcl = o.AllowMultipart = o.AllowBucketDiscovery = o.AllowCreateBucket = true; }).Statements.Count);
        }

        [Fact]
        public void RcloneBucketKindRefusesAccountWideOptions()
        {
            PolicyDocument doc = Build("Rclone", o => { o.Kind = PresetPolicyKind.Bucket; o.PrincipalArn = UserArn; o.AllowMultipart = true; });
            Assert.All(doc.Statements, s => Assert.Equal(new[] { UserArn }, s.Principal!.Values["AWS"]));
            var ex = Assert.Throws<InputValidationException>(() => Build("Rclone", o => { o.Kind = PresetPolicyKind.Bucket; o.PrincipalArn = UserArn; o.AllowBucketDiscovery = true; }));
            Assert.Equal("PresetOptionNotSupported", ex.ErrorId);
            Assert.Contains("AllowBucketDiscovery", ex.Message);
            ex = Assert.Throws<InputValidationException>(() => Build("Rclone", o => { o.Kind = PresetPolicyKind.Bucket; o.PrincipalArn = UserArn; o.AllowCreateBucket = true; }));
            Assert.Contains("AllowCreateBucket", ex.Message);
        }

        [Fact]
        public void UpdraftPlusSnapshot()
        {
            Assert.Equal(
                "{\"Version\":\"2012-10-17\",\"Statement\":[" +
                "{\"Sid\":\"BucketAccess\",\"Effect\":\"Allow\",\"Action\":[\"s3:ListBucket\",\"s3:GetBucketLocation\",\"s3:ListBucketMultipartUploads\"],\"Resource\":\"arn:aws:s3:::my-backup-bucket\"}," +
                "{\"Sid\":\"ObjectAccess\",\"Effect\":\"Allow\",\"Action\":[\"s3:AbortMultipartUpload\",\"s3:DeleteObject\",\"s3:DeleteObjectVersion\",\"s3:GetObject\",\"s3:GetObjectAcl\",\"s3:GetObjectVersion\",\"s3:GetObjectVersionAcl\",\"s3:PutObject\",\"s3:PutObjectAcl\",\"s3:PutObjectVersionAcl\"],\"Resource\":\"arn:aws:s3:::my-backup-bucket/*\"}," +
                "{\"Sid\":\"ListAllBuckets\",\"Effect\":\"Allow\",\"Action\":\"s3:ListAllMyBuckets\",\"Resource\":\"*\"}]}",
                PolicyJson.ToJson(Build("UpdraftPlus"), indented: false));
        }

        [Fact]
        public void UpdraftPlusSecureDropsOnlyDeletes()
        {
            List<string> full = AllActions(Allows("UpdraftPlus"));
            List<string> secure = AllActions(Allows("UpdraftPlusSecure"));
            Assert.Equal(full.Where(a => a != "s3:DeleteObject" && a != "s3:DeleteObjectVersion"), secure);
            Assert.DoesNotContain(secure, a => a.StartsWith("s3:Delete", StringComparison.Ordinal));
            string d = PresetCatalog.Get("UpdraftPlusSecure").Description;
            Assert.Contains("versioning", d);
            Assert.Contains("lifecycle", d);
            Assert.Contains("noncurrent", d);
            Assert.Contains("test file", d);
        }

        [Theory]
        [InlineData("UpdraftPlus")]
        [InlineData("UpdraftPlusSecure")]
        public void ListAllMyBucketsPresetsCannotBeBucketPolicies(string name)
        {
            Assert.DoesNotContain(PresetPolicyKind.Bucket, PresetCatalog.Get(name).SupportedKinds);
            var ex = Assert.Throws<InputValidationException>(() => Build(name, o => { o.Kind = PresetPolicyKind.Bucket; o.PrincipalArn = UserArn; }));
            Assert.Equal("PresetOptionNotSupported", ex.ErrorId);
            Assert.Contains(name, ex.Message);
        }

        [Fact]
        public void EveryPresetWithoutAListAllMyBucketsGrantCanBeABucketPolicy()
        {
            foreach (PresetDefinition p in PresetCatalog.All)
            {
                bool listsAll = AllActions(Allows(p.Name, o => { o.Kind = PresetPolicyKind.Identity; })).Contains("s3:ListAllMyBuckets");
                Assert.Equal(!listsAll, p.SupportedKinds.Contains(PresetPolicyKind.Bucket));
            }
        }

        [Theory]
        [InlineData("UploadOnly", nameof(PresetOptions.NoListBucket))]
        [InlineData("UploadOnly", nameof(PresetOptions.AllowMultipart))]
        [InlineData("WriteOnly", nameof(PresetOptions.AllowObjectAcl))]
        [InlineData("ReadWriteDelete", nameof(PresetOptions.AllowCreateBucket))]
        [InlineData("Rclone", nameof(PresetOptions.NoListBucket))]
        [InlineData("UpdraftPlus", nameof(PresetOptions.AllowBucketDiscovery))]
        [InlineData("UpdraftPlusSecure", nameof(PresetOptions.AllowObjectAcl))]
        public void UnsupportedOptionIsRefused(string preset, string option)
        {
            var o = new PresetOptions { BucketName = Bucket };
            typeof(PresetOptions).GetProperty(option)!.SetValue(o, true);
            var ex = Assert.Throws<InputValidationException>(() => PresetCatalog.Build(preset, o));
            Assert.Equal("PresetOptionNotSupported", ex.ErrorId);
            Assert.Equal(option, ex.ParameterName);
            Assert.Contains(option, ex.Message);
            Assert.Contains(preset, ex.Message);
        }

        [Fact]
        public void SupportedOptionsMatchWhatBuildAccepts()
        {
            string[] all = { nameof(PresetOptions.NoListBucket), nameof(PresetOptions.AllowObjectAcl), nameof(PresetOptions.AllowMultipart), nameof(PresetOptions.AllowBucketDiscovery), nameof(PresetOptions.AllowCreateBucket), nameof(PresetOptions.RequireBucketOwnerFullControl) };
            foreach (PresetDefinition p in PresetCatalog.All)
            {
                foreach (string option in all)
                {
                    var o = new PresetOptions { BucketName = Bucket, Kind = PresetPolicyKind.Identity };
                    typeof(PresetOptions).GetProperty(option)!.SetValue(o, true);
                    if (p.SupportedOptions.Contains(option))
                    {
                        PresetCatalog.Build(p.Name, o);
                    }
                    else
                    {
                        Assert.Throws<InputValidationException>(() => PresetCatalog.Build(p.Name, o));
                    }
                }
            }
        }

        [Fact]
        public void BucketKindNeedsValidPrincipalArnAndAddsPrincipalEverywhere()
        {
            var ex = Assert.Throws<InputValidationException>(() => Build("WriteOnly"));
            Assert.Equal("PrincipalArnInvalid", ex.ErrorId);
            Assert.Equal("PrincipalArn", ex.ParameterName);

            foreach (string bad in new[] { "backup", "arn:aws:iam::12345:user/x", "arn:aws:s3:::bucket", "arn:aws:iam::123456789012:group/g", "arn:aws:iam::123456789012:user/" })
            {
                ex = Assert.Throws<InputValidationException>(() => Build("WriteOnly", o => o.PrincipalArn = bad));
                Assert.Equal("PrincipalArnInvalid", ex.ErrorId);
                Assert.Contains("arn:aws:iam::123456789012:user/", ex.Message);
            }

            foreach (string good in new[] { UserArn, "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/path/backup-role", "arn:aws-us-gov:iam::123456789012:user/a.b@c" })
            {
                PolicyDocument doc = Build("UploadOnly", o => { o.Kind = PresetPolicyKind.Bucket; o.PrincipalArn = good; });
                Assert.All(doc.Statements, s => Assert.Equal(new[] { good }, s.Principal!.Values["AWS"]));
            }
        }

        [Fact]
        public void PrincipalPartitionCarriesIntoResourceArns()
        {
            PolicyDocument doc = Build("WriteOnly", o => o.PrincipalArn = "arn:aws-cn:iam::123456789012:user/backup");
            Assert.All(doc.Statements, s => Assert.All(s.Resources, r => Assert.StartsWith("arn:aws-cn:s3:::", r)));
        }

        [Fact]
        public void IdentityKindIgnoresPrincipalArn()
        {
            PolicyDocument doc = Build("UploadOnly", o => o.PrincipalArn = UserArn);
            Assert.All(doc.Statements, s => Assert.Null(s.Principal));
            Assert.Equal(PolicyJson.ToJson(Build("UploadOnly")), PolicyJson.ToJson(doc));
        }

        [Fact]
        public void BuildValidatesBucketAndPrefixWithParameterNames()
        {
            var ex = Assert.Throws<InputValidationException>(() => PresetCatalog.Build("UploadOnly", new PresetOptions { BucketName = "Bad_Bucket" }));
            Assert.Equal("BucketNameInvalid", ex.ErrorId);
            Assert.Equal("BucketName", ex.ParameterName);
            ex = Assert.Throws<InputValidationException>(() => PresetCatalog.Build("UploadOnly", new PresetOptions { BucketName = Bucket, Prefix = "a*" }));
            Assert.Equal("PrefixInvalid", ex.ErrorId);
            Assert.Equal("Prefix", ex.ParameterName);
            ex = Assert.Throws<InputValidationException>(() => PresetCatalog.Build("Nope", new PresetOptions { BucketName = Bucket }));
            Assert.Equal("PresetNotFound", ex.ErrorId);
        }

        [Fact]
        public void EveryPresetRendersRoundTripsAndHasUniqueAlphanumericSids()
        {
            foreach (PresetDefinition p in PresetCatalog.All)
            {
                foreach (PresetPolicyKind kind in p.SupportedKinds)
                {
                    PolicyDocument doc = Build(p.Name, o => { o.Kind = kind; o.PrincipalArn = kind == PresetPolicyKind.Bucket ? UserArn : null; });
                    string json = PolicyJson.ToJson(doc);
                    Assert.Equal(json, PolicyJson.ToJson(PolicyJson.Parse(json)));
                    Assert.All(doc.Statements, s => Assert.Matches("^[A-Za-z0-9]+$", s.Sid!));
                    Assert.Equal(doc.Statements.Count, doc.Statements.Select(s => s.Sid).Distinct().Count());

                    // Issue 13: hardened presets end with Deny statements; every other statement is an Allow, and the Denies come last.
                    int firstDeny = doc.Statements.FindIndex(s => s.Effect == PolicyEffect.Deny);
                    Assert.Equal(p.Hardened, firstDeny >= 0);
                    Assert.All(doc.Statements.Take(firstDeny < 0 ? doc.Statements.Count : firstDeny), s => Assert.Equal(PolicyEffect.Allow, s.Effect));
                    Assert.All(doc.Statements.Skip(firstDeny < 0 ? doc.Statements.Count : firstDeny), s => Assert.Equal(PolicyEffect.Deny, s.Effect));
                    Assert.InRange(PolicyJson.CountNonWhitespaceCharacters(doc), 50, 2048);
                }
            }
        }

        [Fact]
        public void EveryPresetWithEveryOptionFitsAUserInlinePolicy()
        {
            // 2048 characters without whitespace is IAM's limit for an inline user policy, the smallest container.
            foreach (PresetDefinition p in PresetCatalog.All)
            {
                var o = new PresetOptions { BucketName = "backups-of-site-01", Kind = PresetPolicyKind.Identity, Prefix = p.PrefixRequired ? "backups/dataset-01/" : null };
                foreach (string option in p.SupportedOptions.Where(x => x != nameof(PresetOptions.NoListBucket)))
                {
                    typeof(PresetOptions).GetProperty(option)!.SetValue(o, true);
                }

                int size = PolicyJson.CountNonWhitespaceCharacters(PresetCatalog.Build(p.Name, o));
                Assert.True(size <= 2048, p.Name + " with every option is " + size + " characters");
            }
        }

        [Fact]
        public void HardeningSnapshot()
        {
            Assert.Equal(
                "{\"Version\":\"2012-10-17\",\"Statement\":[" +
                "{\"Sid\":\"UploadFilesToBackup\",\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::my-backup-bucket/backup/*\"}," +
                "{\"Sid\":\"DenyWithoutBucketOwnerFullControl\",\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::my-backup-bucket/*\",\"Condition\":{\"StringNotEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-control\"}}}," +
                "{\"Sid\":\"DenyReadDeleteAndChanges\",\"Effect\":\"Deny\",\"Action\":[\"s3:GetObject\",\"s3:GetObjectVersion\",\"s3:GetObjectAcl\",\"s3:GetObjectVersionAcl\",\"s3:PutObjectAcl\",\"s3:PutObjectVersionAcl\",\"s3:DeleteObject\",\"s3:DeleteObjectVersion\",\"s3:ListMultipartUploadParts\",\"s3:PutObjectRetention\",\"s3:PutObjectLegalHold\",\"s3:ListBucket\",\"s3:ListBucketVersions\",\"s3:ListBucketMultipartUploads\",\"s3:PutBucketPolicy\",\"s3:DeleteBucketPolicy\",\"s3:PutBucketAcl\",\"s3:PutBucketVersioning\",\"s3:PutLifecycleConfiguration\"],\"Resource\":[\"arn:aws:s3:::my-backup-bucket\",\"arn:aws:s3:::my-backup-bucket/*\"]}," +
                "{\"Sid\":\"DenyCreateBucket\",\"Effect\":\"Deny\",\"Action\":\"s3:CreateBucket\",\"Resource\":\"*\"}]}",
                PolicyJson.ToJson(Build("UploadOnly", o => o.RequireBucketOwnerFullControl = true), indented: false));

            // Without the option, uploads with a public canned ACL get a Deny of their own.
            PolicyStatement publicAcl = Sid(Build("UploadOnly"), "DenyPublicAcl");
            Assert.Equal(new[] { "s3:PutObject" }, publicAcl.Actions);
            Assert.Equal(new[] { "public-read", "public-read-write", "authenticated-read" }, Assert.Single(publicAcl.Conditions).Values);

            // A bucket policy cannot stop the principal from creating other buckets; it names the principal in every Deny.
            PolicyDocument bucket = Build("UploadOnly", o => { o.Kind = PresetPolicyKind.Bucket; o.PrincipalArn = UserArn; });
            Assert.DoesNotContain(bucket.Statements, s => s.Sid == "DenyCreateBucket");
            Assert.All(bucket.Statements, s => Assert.Equal(new[] { UserArn }, s.Principal!.Values["AWS"]));
        }

        [Fact]
        public void OwnerRestoreIsABucketPolicyThatOnlyReads()
        {
            Assert.Equal(PresetPolicyKind.Bucket, PresetCatalog.Get("OwnerRestore").DefaultKind);
            Assert.False(PresetCatalog.Get("OwnerRestore").Hardened);
            Assert.Equal(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"OwnerRestore\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam:::user/admin\"},\"Action\":[\"s3:GetObject\",\"s3:GetObjectVersion\"],\"Resource\":\"arn:aws:s3:::my-backup-bucket/repo/*\"}]}",
                PolicyJson.ToJson(Build("OwnerRestore", o => { o.PrincipalArn = "arn:aws:iam:::user/admin"; o.Prefix = "repo"; }), indented: false));
            var ex = Assert.Throws<InputValidationException>(() => Build("OwnerRestore"));
            Assert.Equal("PrincipalArnInvalid", ex.ErrorId);
        }

        [Fact]
        public void ToolPresetsNameTheirClientFlag()
        {
            Assert.Contains("--s3-acl bucket-owner-full-control", PresetCatalog.Get("Rclone").ClientFlag);
            Assert.Contains("--s3-acl bucket-owner-full-control", PresetCatalog.Get("RcloneCopy").ClientFlag);
            Assert.Equal("--acl bucket-owner-full-control", PresetCatalog.Get("AwsCli").ClientFlag);
            Assert.Equal("--add-header=x-amz-acl:bucket-owner-full-control", PresetCatalog.Get("S3cmd").ClientFlag);
            Assert.Equal(string.Empty, PresetCatalog.Get("Restic").ClientFlag);
            Assert.DoesNotContain(nameof(PresetOptions.RequireBucketOwnerFullControl), PresetCatalog.Get("Restic").SupportedOptions);
            Assert.Contains("x-amz-acl", PresetCatalog.Get("Restic").Description);
        }
    }
}
