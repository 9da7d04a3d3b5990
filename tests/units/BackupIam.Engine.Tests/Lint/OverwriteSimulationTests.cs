using BackupIam.Engine.Lint;
using Xunit;

namespace BackupIam.Engine.Tests.Lint
{
    /// <summary>OverwritableBackups is decided by simulating PutObject with and without If-None-Match: *, not by the key name.</summary>
    public class OverwriteSimulationTests
    {
        private const string AllowPut = "{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bbb/*\"}";

        private static string[] Ids(string statements, PolicyContainer container = PolicyContainer.UserInline) =>
            PolicyLinter.Lint("{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}", new LintOptions { Container = container, AclsDisabled = true })
                .Select(f => f.Id).ToArray();

        [Fact]
        public void AllowOnlyWithoutIfNoneMatchAllowsOnlyOverwrites()
        {
            var findings = PolicyLinter.Lint(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bbb/*\",\"Condition\":{\"Null\":{\"s3:if-none-match\":\"true\"}}}]}",
                new LintOptions());
            var f = Assert.Single(findings, x => x.Id == FindingIds.OverwritableBackups);
            Assert.Contains("not even allowed", f.Message);
        }

        [Fact]
        public void DenyOfTheSafeUploadsIsNotANoOverwriteRule()
        {
            Assert.Contains(FindingIds.OverwritableBackups, Ids(AllowPut + ",{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bbb/*\",\"Condition\":{\"StringEquals\":{\"s3:if-none-match\":\"*\"}}}"));
        }

        [Fact]
        public void NoOverwriteRuleOnAnotherBucketDoesNotProtectThisOne()
        {
            Assert.Contains(FindingIds.OverwritableBackups, Ids(AllowPut + ",{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::zzz/*\",\"Condition\":{\"Null\":{\"s3:if-none-match\":\"true\"}}}"));
        }

        [Fact]
        public void CorrectNoOverwriteRuleSilencesTheFinding()
        {
            Assert.DoesNotContain(FindingIds.OverwritableBackups, Ids(AllowPut + ",{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bbb/*\",\"Condition\":{\"Null\":{\"s3:if-none-match\":\"true\"}}}"));
            Assert.DoesNotContain(FindingIds.OverwritableBackups, Ids("{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bbb/*\",\"Condition\":{\"StringEquals\":{\"s3:if-none-match\":\"*\"}}}"));
        }

        [Fact]
        public void BucketPolicyDenyForAnotherPrincipalDoesNotProtectTheWriter()
        {
            const string Allow = "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/backup\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bbb/*\"}";
            const string DenyOther = "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/other\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bbb/*\",\"Condition\":{\"Null\":{\"s3:if-none-match\":\"true\"}}}";
            const string DenyAll = "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bbb/*\",\"Condition\":{\"Null\":{\"s3:if-none-match\":\"true\"}}}";
            Assert.Contains(FindingIds.OverwritableBackups, Ids(Allow + "," + DenyOther, PolicyContainer.BucketPolicy));
            Assert.DoesNotContain(FindingIds.OverwritableBackups, Ids(Allow + "," + DenyAll, PolicyContainer.BucketPolicy));
        }

        [Fact]
        public void VersioningOrAnOutsideRuleStillSilenceIt()
        {
            const string Doc = "{\"Version\":\"2012-10-17\",\"Statement\":[" + AllowPut + "]}";
            Assert.DoesNotContain(PolicyLinter.Lint(Doc, new LintOptions { VersioningEnabled = true }), f => f.Id == FindingIds.OverwritableBackups);
            Assert.DoesNotContain(PolicyLinter.Lint(Doc, new LintOptions { HasNoOverwriteRule = true }), f => f.Id == FindingIds.OverwritableBackups);
            Assert.Contains(PolicyLinter.Lint(Doc, new LintOptions()), f => f.Id == FindingIds.OverwritableBackups);
        }

        [Fact]
        public void ConditionsOnOtherKeysDoNotHideOverwrites()
        {
            // The client can send the ACL header; the Allow still lets it overwrite.
            Assert.Contains(FindingIds.OverwritableBackups, Ids("{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bbb/*\",\"Condition\":{\"StringEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-control\"}}}"));

            // A Deny that also depends on the encryption header is not a no-overwrite rule.
            Assert.Contains(FindingIds.OverwritableBackups, Ids(AllowPut + ",{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bbb/*\",\"Condition\":{\"Null\":{\"s3:if-none-match\":\"true\"},\"StringNotEquals\":{\"s3:x-amz-server-side-encryption\":\"AES256\"}}}"));
        }
    }
}
