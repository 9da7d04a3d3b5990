using System.Diagnostics;
using System.Text;
using BackupIam.Engine.Lint;
using BackupIam.Engine.Policies;
using Xunit;

namespace BackupIam.Engine.Tests.Lint
{
    public class PolicyLinterPerformanceTests
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
        public void ParseAndLint_20KbPolicy_TakesUnder5Milliseconds()
        {
            string json = TwentyKilobytePolicy();
            Assert.InRange(json.Length, 19_000, 20_480);
            var options = new LintOptions { Container = PolicyContainer.BucketPolicy, PolicyName = "write-only" };

            var warm = PolicyLinter.Lint(json, options);
            Assert.Contains(warm, f => f.Id == FindingIds.UnknownAction);
            Assert.Contains(warm, f => f.Id == FindingIds.DeleteInWriteOnlyPolicy);

            const int runs = 20;
            var times = new double[runs];
            for (int r = 0; r < runs; r++)
            {
                var sw = Stopwatch.StartNew();
                PolicyLinter.Lint(json, options);
                sw.Stop();
                times[r] = sw.Elapsed.TotalMilliseconds;
            }

            Array.Sort(times);
            double median = times[runs / 2];
            Assert.True(median < 5.0, $"median parse+lint time {median:F2} ms (all: {string.Join(", ", times.Select(t => t.ToString("F2")))})");
        }

        [Fact]
        public void LintDocument_20KbPolicy_TakesUnder5Milliseconds()
        {
            PolicyDocument doc = PolicyJson.Parse(TwentyKilobytePolicy());
            var options = new LintOptions { Container = PolicyContainer.BucketPolicy };
            PolicyLinter.Lint(doc, options);
            var times = new double[20];
            for (int r = 0; r < times.Length; r++)
            {
                var sw = Stopwatch.StartNew();
                PolicyLinter.Lint(doc, options);
                times[r] = sw.Elapsed.TotalMilliseconds;
            }

            Array.Sort(times);
            Assert.True(times[10] < 5.0, $"median lint time {times[10]:F2} ms");
        }
    }
}
