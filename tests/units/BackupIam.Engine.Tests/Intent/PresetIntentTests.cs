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
            Assert.Contains(matrix.Entries, e => e.Action == "s3:DeleteObject" && e.ResourceKind == ResourceKinds.ObjectInPrefix && e.Decision == Decision.ImplicitDeny);
            Assert.Contains(matrix.Entries, e => e.Action == "s3:DeleteObjectVersion" && e.ResourceKind == ResourceKinds.ObjectInPrefix && e.Decision == Decision.ImplicitDeny);
        }

        // ---------------------------------------------------------------- every setup

        [Theory]
        [MemberData(nameof(SetupNames))]
        public void Setup_HasNoExplicitDenyAndGrantsNothingOnTheOtherBucket(string setupName)
        {
            AccessMatrix matrix = BuildMatrix(setupName);

            Assert.NotEmpty(matrix.Entries);
            Assert.Equal(0, matrix.Entries.Count(e => e.Decision == Decision.ExplicitDeny));
            Assert.Contains(matrix.Entries, e => e.ResourceKind == ResourceKinds.OtherBucket);
            Assert.Contains(matrix.Entries, e => e.ResourceKind == ResourceKinds.OtherBucketObject);
            var leaks = matrix.Allowed
                .Where(e => e.ResourceKind == ResourceKinds.OtherBucket || e.ResourceKind == ResourceKinds.OtherBucketObject)
                .Select(e => e.ToString() + " by " + e.DecidedBy)
                .ToList();
            Assert.True(leaks.Count == 0, setupName + " allows on the other bucket: " + string.Join("; ", leaks));
        }

        [Fact]
        public void ExactComparisonNoticesAnExtraGrantAndAMissingOne()
        {
            // The comparison used above must be able to fail: add s3:GetObject to UploadOnly and expect s3:DeleteObject.
            PolicyDocument doc = PresetCatalog.Build("UploadOnly", new PresetOptions { BucketName = Bucket });
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

            // Everything not allowed is an implicit deny (presets have no Deny statements).
            Assert.All(matrix.Entries.Where(e => e.Decision != Decision.Allowed), e => Assert.Equal(Decision.ImplicitDeny, e.Decision));
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
