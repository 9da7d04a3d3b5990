using System.Text;
using BackupIam.Engine.Lint;
using BackupIam.Engine.Policies;
using Xunit;

namespace BackupIam.Engine.Tests.Lint
{
    /// <summary>
    /// Linting a large (about 20 KB) bucket policy. Speed is not asserted here: the parse+lint timing target
    /// (median under 5 ms) is measured and printed by bench/BackupIam.Bench ("parse+lint-20KB").
    /// </summary>
    public class LargePolicyLintTests
    {
        /// <summary>A bucket policy of about 20 KB with varied actions, wildcards, conditions and a few mistakes.</summary>
        internal static string TwentyKilobytePolicy()
        {
            var sb = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[");
            int i = 0;
            while (sb.Length < 19_500)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }

                sb.Append("{\"Sid\":\"S").Append(i).Append("\",\"Effect\":\"").Append(i % 5 == 4 ? "Deny" : "Allow").Append("\",");
                sb.Append("\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/backup").Append(i).Append("\"},");
                sb.Append("\"Action\":[\"s3:ListBucket\",\"s3:GetBucketLocation\",\"s3:PutObject\",\"s3:GetObject*\",\"s3:Delete*\",\"s3:PutObjectAcl\",\"s3:HeadBucket\"],");
                sb.Append("\"Resource\":[\"arn:aws:s3:::bucket").Append(i).Append("\",\"arn:aws:s3:::bucket").Append(i).Append("/host/*\"],");
                sb.Append("\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"host/*\"]},\"Bool\":{\"aws:SecureTransport\":\"true\"},\"StringEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-control\"}}}");
                i++;
            }

            sb.Append("]}");
            return sb.ToString();
        }

        [Fact]
        public void ParseAndLint_20KbPolicy_ReportsUnknownActionAndDeleteInWriteOnlyPolicy()
        {
            string json = TwentyKilobytePolicy();
            Assert.InRange(json.Length, 19_000, 20_480);
            var options = new LintOptions { Container = PolicyContainer.BucketPolicy, PolicyName = "write-only" };

            var findings = PolicyLinter.Lint(json, options);
            Assert.Contains(findings, f => f.Id == FindingIds.UnknownAction);
            Assert.Contains(findings, f => f.Id == FindingIds.DeleteInWriteOnlyPolicy);
        }
    }
}
