using BackupIam.Engine.Lint;
using Xunit;

namespace BackupIam.Engine.Tests.Lint
{
    public class LintNitsTests
    {
        private static string[] Ids(string statements, string? id = null) =>
            PolicyLinter.Lint(
                "{\"Version\":\"2012-10-17\"," + (id == null ? string.Empty : "\"Id\":\"" + id + "\",") + "\"Statement\":[" + statements + "]}",
                new LintOptions { VersioningEnabled = true, AclsDisabled = true }).Select(f => f.Id).ToArray();

        [Theory]
        [InlineData("s3:List*", "*", true)]
        [InlineData("s3:*", "*", true)]
        [InlineData("s3:List*", "arn:aws:s3:::*", true)]
        [InlineData("s3:List*", "arn:aws:s3:::b", false)]
        [InlineData("s3:ListBucket", "*", false)]
        public void WildcardsThatGrantListAllMyBucketsAreFlagged(string action, string resource, bool flagged)
        {
            var ids = Ids("{\"Effect\":\"Allow\",\"Action\":\"" + action + "\",\"Resource\":\"" + resource + "\"}");
            Assert.Equal(flagged, ids.Contains(FindingIds.UnneededListAllMyBuckets));
        }

        [Fact]
        public void PolicyIdSayingWriteOnlyImpliesWriteOnlyIntent()
        {
            const string St = "{\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\",\"s3:DeleteObject\"],\"Resource\":\"arn:aws:s3:::b/*\"}";
            Assert.Contains(FindingIds.DeleteInWriteOnlyPolicy, Ids(St, "backup-write-only"));
            Assert.DoesNotContain(FindingIds.DeleteInWriteOnlyPolicy, Ids(St, "backup-policy"));
        }
    }
}
