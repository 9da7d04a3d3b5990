using BackupIam.Engine.Lint;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Lint
{
    /// <summary>UnsupportedConditionKey is decided per action and worded by what the operator does with a missing key.</summary>
    public class ConditionKeyPerActionTests
    {
        private static readonly LintOptions Quiet = new() { VersioningEnabled = true, AclsDisabled = true, NeedsBucketDiscovery = true };

        private static PolicyFinding[] Findings(string statementJson) =>
            PolicyLinter.Lint("{\"Version\":\"2012-10-17\",\"Statement\":[" + statementJson + "]}", Quiet)
                .Where(f => f.Id == FindingIds.UnsupportedConditionKey).ToArray();

        private static Decision Simulate(string statementsJson, string action, string resource) =>
            new PolicyEvaluator().Evaluate(
                new[] { new NamedPolicy("P", PolicyJson.Parse("{\"Version\":\"2012-10-17\",\"Statement\":[" + statementsJson + "]}")) },
                null,
                new EvaluationRequest(action, resource, PrincipalInfo.ForUser("123456789012", "backup"), new Dictionary<string, IReadOnlyList<string>>())).Decision;

        [Fact]
        public void MixedStatementReportsTheActionThatCanNeverBeGranted()
        {
            const string St = "{\"Effect\":\"Allow\",\"Action\":[\"s3:ListBucket\",\"s3:GetObject\"],\"Resource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/*\"],\"Condition\":{\"StringLike\":{\"s3:prefix\":\"backups/*\"}}}";
            var f = Assert.Single(Findings(St));
            Assert.Equal("s3:GetObject", f.Action);
            Assert.Contains("never grants \"s3:GetObject\"", f.Message);
            Assert.Equal(Decision.ImplicitDeny, Simulate(St, "s3:GetObject", "arn:aws:s3:::b/backups/x"));
        }

        [Fact]
        public void NegatedOperatorOnDenyIsReportedAsAlwaysApplying()
        {
            const string Allow = "{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"}";
            const string Deny = "{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"StringNotEquals\":{\"s3:prefix\":\"x/\"}}}";
            var f = Assert.Single(Findings(Allow + "," + Deny));
            Assert.Equal("s3:PutObject", f.Action);
            Assert.Contains("Deny always applies", f.Message);
            Assert.DoesNotContain("never applies", f.Message);
            Assert.Equal(Decision.ExplicitDeny, Simulate(Allow + "," + Deny, "s3:PutObject", "arn:aws:s3:::b/k"));
        }

        [Fact]
        public void PositiveOperatorOnDenyIsReportedAsNeverApplying()
        {
            const string Allow = "{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"}";
            const string Deny = "{\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"StringEquals\":{\"s3:prefix\":\"x/\"}}}";
            var f = Assert.Single(Findings(Allow + "," + Deny));
            Assert.Contains("Deny never applies", f.Message);
            Assert.Equal(Decision.Allowed, Simulate(Allow + "," + Deny, "s3:PutObject", "arn:aws:s3:::b/k"));
        }

        [Fact]
        public void IfExistsOnAllowIsReportedAsNotRestricting()
        {
            const string St = "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"StringLikeIfExists\":{\"s3:prefix\":\"backups/*\"}}}";
            var f = Assert.Single(Findings(St));
            Assert.Contains("grants it unconditionally", f.Message);
            Assert.Equal(Decision.Allowed, Simulate(St, "s3:GetObject", "arn:aws:s3:::b/elsewhere/x"));
        }
    }
}
