using System.Linq;
using BackupIam.Engine.Lint;
using Xunit;

namespace BackupIam.Engine.Tests.Lint
{
    public class HostileInputLintTests
    {
        private static string Policy(string sid, string? principal = null)
        {
            string p = principal == null ? string.Empty : ",\"Principal\":{\"AWS\":\"" + principal + "\"}";
            return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"" + sid + "\",\"Effect\":\"Allow\"" + p + ",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/backup/*\"}]}";
        }

        [Theory]
        [InlineData("my sid!")]
        [InlineData("\\ud800")]
        public void IdentityPolicySidThatIamRefusesIsAnError(string sid)
        {
            var finding = Assert.Single(PolicyLinter.Lint(Policy(sid), new LintOptions { Container = PolicyContainer.UserInline }), f => f.Id == FindingIds.SidInvalid);
            Assert.Equal(FindingSeverity.Error, finding.Severity);
            Assert.Equal(0, finding.StatementIndex);
            Assert.Contains("IAM", finding.Message);
        }

        [Fact]
        public void BucketPolicySidWithSpacesIsFineButALoneSurrogateIsNot()
        {
            var bucket = new LintOptions { Container = PolicyContainer.BucketPolicy, VersioningEnabled = true };
            Assert.DoesNotContain(PolicyLinter.Lint(Policy("Backup writer", "arn:aws:iam::123456789012:user/backup"), bucket), f => f.Id == FindingIds.SidInvalid);
            Assert.Contains(PolicyLinter.Lint(Policy("x\\udc00", "arn:aws:iam::123456789012:user/backup"), bucket), f => f.Id == FindingIds.SidInvalid);
        }

        [Fact]
        public void UnknownPartitionPrincipalIsAnError()
        {
            var findings = PolicyLinter.Lint(Policy("W", "arn:aws-fake:iam::123456789012:user/backup"), new LintOptions { Container = PolicyContainer.BucketPolicy });
            var finding = Assert.Single(findings, f => f.Id == FindingIds.PrincipalArnInvalid);
            Assert.Contains("aws-fake", finding.Message);
            Assert.DoesNotContain(PolicyLinter.Lint(Policy("W", "arn:aws:iam:::user/backup"), new LintOptions { Container = PolicyContainer.BucketPolicy }), f => f.Id == FindingIds.PrincipalArnInvalid);
        }

        [Theory]
        [InlineData("arn:aws:iam:::user/backup")]
        [InlineData("arn:aws:iam::backupteam:user/backup")]
        public void OverwriteProbeSimulatesTheRgwPrincipalItself(string principal)
        {
            // Before RGW's forms were accepted the probe fell back to another user, missed the grant, and reported nothing.
            var findings = PolicyLinter.Lint(Policy("W", principal), new LintOptions { Container = PolicyContainer.BucketPolicy });
            Assert.Contains(findings, f => f.Id == FindingIds.OverwritableBackups);
            Assert.DoesNotContain(findings, f => f.Severity == FindingSeverity.Error);
        }
    }
}
