using BackupIam.Engine.Lint;
using Xunit;

namespace BackupIam.Engine.Tests.Lint
{
    /// <summary>Policies as published in backup software guides, linted as they are.</summary>
    public class GuidePolicyLintTests
    {
        internal static string[] Ids(IReadOnlyList<PolicyFinding> findings) =>
            findings.Select(f => f.Id + "@" + (f.StatementIndex?.ToString() ?? "-")).OrderBy(s => s, StringComparer.Ordinal).ToArray();

        internal static string[] Expected(params string[] ids) => ids.OrderBy(s => s, StringComparer.Ordinal).ToArray();

        private const string Guide1 = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::your-bucket-name/backup/*\"}]}";

        private const string Guide2 = @"{
  ""Version"": ""2012-10-17"",
  ""Statement"": [
    {
      ""Sid"": ""BucketPermissions"",
      ""Effect"": ""Allow"",
      ""Principal"": { ""AWS"": ""arn:aws:iam::123456789012:user/backup"" },
      ""Action"": [ ""s3:ListBucket"", ""s3:GetBucketLocation"" ],
      ""Resource"": ""arn:aws:s3:::bkt""
    },
    {
      ""Sid"": ""ObjectPermissions"",
      ""Effect"": ""Allow"",
      ""Principal"": { ""AWS"": ""arn:aws:iam::123456789012:user/backup"" },
      ""Action"": [ ""s3:PutObject"", ""s3:PutObjectAcl"" ],
      ""Resource"": ""arn:aws:s3:::bkt/*""
    }
  ]
}";

        private const string Guide3 = @"{
  ""Version"": ""2012-10-17"",
  ""Statement"": [
    {
      ""Effect"": ""Allow"",
      ""Action"": [ ""s3:GetObject"", ""s3:PutObject"", ""s3:DeleteObject"" ],
      ""Resource"": ""arn:aws:s3:::backup-bucket/*""
    }
  ]
}";

        private const string Guide4 = @"{
  ""Version"": ""2012-10-17"",
  ""Statement"": [
    {
      ""Effect"": ""Allow"",
      ""Action"": [ ""s3:ListBucket"", ""s3:HeadBucket"" ],
      ""Resource"": ""arn:aws:s3:::bkt/backups/*""
    },
    {
      ""Effect"": ""Allow"",
      ""Action"": [
        ""s3:PutObject"",
        ""s3:GetObject"",
        ""s3:DeleteObject"",
        ""s3:AbortMultipartUploads3:ListMultipartUploadParts""
      ],
      ""Resource"": ""arn:aws:s3:::bkt/backups/*""
    }
  ]
}";

        private const string Guide5 = @"{
  ""Version"": ""2012-10-17"",
  ""Statement"": [
    {
      ""Effect"": ""Allow"",
      ""Action"": [ ""s3:ListBucket"", ""s3:GetBucketLocation"", ""s3:ListBucketMultipartUploads"" ],
      ""Resource"": ""arn:aws:s3:::updraft-bucket""
    },
    {
      ""Effect"": ""Allow"",
      ""Action"": [
        ""s3:AbortMultipartUpload"",
        ""s3:GetObject"",
        ""s3:GetObjectAcl"",
        ""s3:GetObjectVersion"",
        ""s3:GetObjectVersionAcl"",
        ""s3:PutObject"",
        ""s3:PutObjectAcl"",
        ""s3:PutObjectAclVersion"",
        ""s3:DeleteObject"",
        ""s3:DeleteObjectVersion""
      ],
      ""Resource"": ""arn:aws:s3:::updraft-bucket/*""
    },
    {
      ""Effect"": ""Allow"",
      ""Action"": ""s3:ListAllMyBuckets"",
      ""Resource"": ""*""
    }
  ]
}";

        [Fact]
        public void Guide1_UploadOnly_IsOnlyOverwritable()
        {
            var findings = PolicyLinter.Lint(Guide1, new LintOptions { Container = PolicyContainer.GroupInline, PolicyName = "UploadFilesToBackup" });
            Assert.Equal(Expected("OverwritableBackups@0"), Ids(findings));
            var f = findings[0];
            Assert.Equal(FindingSeverity.Warning, f.Severity);
            Assert.Equal("s3:PutObject", f.Action);
            Assert.Contains("versioning", f.Fix);
            Assert.Contains("s3:if-none-match", f.Fix);
        }

        [Fact]
        public void Guide1_WithVersioningEnabled_IsClean()
        {
            var findings = PolicyLinter.Lint(Guide1, new LintOptions { Container = PolicyContainer.GroupInline, PolicyName = "UploadFilesToBackup", VersioningEnabled = true });
            Assert.Empty(findings);
        }

        [Fact]
        public void Guide2_WriteOnlyBucketPolicy_FlagsAclAndOverwrite()
        {
            var findings = PolicyLinter.Lint(Guide2, new LintOptions { Container = PolicyContainer.BucketPolicy });
            Assert.Equal(Expected("ObjectAclCanMakePublic@1", "OverwritableBackups@1"), Ids(findings));
            var acl = findings.Single(f => f.Id == FindingIds.ObjectAclCanMakePublic);
            Assert.Equal("ObjectPermissions", acl.Sid);
            Assert.Equal("s3:PutObjectAcl", acl.Action);
            Assert.Contains("BucketOwnerEnforced", acl.Fix);
        }

        [Fact]
        public void Guide3_Boto_IsOverwritable()
        {
            var findings = PolicyLinter.Lint(Guide3, new LintOptions { Container = PolicyContainer.GroupInline, PolicyName = "S3BackupPolicy" });
            Assert.Equal(Expected("OverwritableBackups@0"), Ids(findings));
        }

        [Fact]
        public void Guide3_NamedWriteOnly_AlsoFlagsDelete()
        {
            var findings = PolicyLinter.Lint(Guide3, new LintOptions { Container = PolicyContainer.GroupInline, PolicyName = "S3Backup-write-only" });
            Assert.Equal(Expected("DeleteInWriteOnlyPolicy@0", "OverwritableBackups@0"), Ids(findings));
            var del = findings.Single(f => f.Id == FindingIds.DeleteInWriteOnlyPolicy);
            Assert.Equal(FindingSeverity.Error, del.Severity);
            Assert.Equal("s3:DeleteObject", del.Action);
        }

        [Fact]
        public void Guide4_RcloneWithMistakes_FlagsUnknownActionsAndObjectArnForListBucket()
        {
            var findings = PolicyLinter.Lint(Guide4, new LintOptions { Container = PolicyContainer.UserInline, VersioningEnabled = true });
            Assert.Equal(Expected("UnknownAction@0", "ResourceTypeMismatch@0", "UnknownAction@1"), Ids(findings));

            var head = findings.Single(f => f.Id == FindingIds.UnknownAction && f.StatementIndex == 0);
            Assert.Equal("s3:HeadBucket", head.Action);
            Assert.Contains("s3:ListBucket", head.Fix);

            var joined = findings.Single(f => f.Id == FindingIds.UnknownAction && f.StatementIndex == 1);
            Assert.Equal("s3:AbortMultipartUploads3:ListMultipartUploadParts", joined.Action);
            Assert.Contains("\"s3:AbortMultipartUpload\"", joined.Fix);
            Assert.Contains("\"s3:ListMultipartUploadParts\"", joined.Fix);

            var mismatch = findings.Single(f => f.Id == FindingIds.ResourceTypeMismatch);
            Assert.Equal("s3:ListBucket", mismatch.Action);
            Assert.Equal(FindingSeverity.Error, mismatch.Severity);
            Assert.Contains("arn:aws:s3:::bkt\"", mismatch.Fix);
            Assert.Contains("s3:prefix", mismatch.Fix);
        }

        [Fact]
        public void Guide4_VersioningUnknown_AlsoFlagsOverwrite()
        {
            var findings = PolicyLinter.Lint(Guide4, new LintOptions());
            Assert.Contains("OverwritableBackups@1", Ids(findings));
            Assert.Equal(2, findings.Count(f => f.Id == FindingIds.UnknownAction));
        }

        [Fact]
        public void Guide5_UpdraftPlus_FlagsTypoAclAndListAllMyBuckets()
        {
            var findings = PolicyLinter.Lint(Guide5, new LintOptions { Container = PolicyContainer.UserInline, VersioningEnabled = true });
            Assert.Equal(Expected("UnknownAction@1", "ObjectAclCanMakePublic@1", "UnneededListAllMyBuckets@2"), Ids(findings));
            var typo = findings.Single(f => f.Id == FindingIds.UnknownAction);
            Assert.Equal("s3:PutObjectAclVersion", typo.Action);
            Assert.Contains("s3:PutObjectVersionAcl", typo.Fix);
            Assert.Equal(FindingSeverity.Suggestion, findings.Single(f => f.Id == FindingIds.UnneededListAllMyBuckets).Severity);
        }

        [Fact]
        public void EveryFinding_HasMessageAndFix()
        {
            foreach (var json in new[] { Guide1, Guide2, Guide3, Guide4, Guide5 })
            {
                foreach (var f in PolicyLinter.Lint(json, new LintOptions { PolicyName = "write-only" }))
                {
                    Assert.False(string.IsNullOrWhiteSpace(f.Message));
                    Assert.False(string.IsNullOrWhiteSpace(f.Fix));
                    Assert.Matches("^[A-Z][A-Za-z]+$", f.Id);
                }
            }
        }
    }
}
