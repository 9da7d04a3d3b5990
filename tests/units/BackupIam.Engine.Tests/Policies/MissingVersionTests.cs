using BackupIam.Engine.Lint;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Policies
{
    /// <summary>A policy without "Version" is evaluated by AWS with the 2008-10-17 rules.</summary>
    public class MissingVersionTests
    {
        private const string NoVersion =
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${aws:username}/*\"}]}";

        [Fact]
        public void ParserRecordsTheMissingVersionButRendersTheCurrentOne()
        {
            PolicyDocument doc = PolicyJson.Parse(NoVersion);
            Assert.True(doc.VersionMissing);
            Assert.Equal("2008-10-17", doc.EffectiveVersion);
            Assert.Equal(PolicyDocument.CurrentVersion, doc.Version);
            Assert.StartsWith("{\"Version\":\"2012-10-17\"", PolicyJson.ToJson(doc, indented: false));

            Assert.False(PolicyJson.Parse("{\"Version\":\"2012-10-17\"," + NoVersion.Substring(1)).VersionMissing);
            doc.Version = PolicyDocument.CurrentVersion;
            Assert.False(doc.VersionMissing);
        }

        [Fact]
        public void EvaluatorTreatsVariablesAsLiteralTextWhenVersionIsMissing()
        {
            var policy = new NamedPolicy("P", PolicyJson.Parse(NoVersion));
            var alice = PrincipalInfo.ForUser("123456789012", "alice");
            var evaluator = new PolicyEvaluator();
            Assert.Equal(Decision.ImplicitDeny, evaluator.Evaluate(new[] { policy }, null, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::b/alice/x", alice)).Decision);
            Assert.Equal(Decision.Allowed, evaluator.Evaluate(new[] { policy }, null, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::b/${aws:username}/x", alice)).Decision);

            // Adding the Version later is noticed: variables are evaluated from then on.
            policy.Document.Version = PolicyDocument.CurrentVersion;
            Assert.Equal(Decision.Allowed, evaluator.Evaluate(new[] { policy }, null, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::b/alice/x", alice)).Decision);
        }

        [Fact]
        public void LinterWarnsAndTheFixMentionsVariables()
        {
            var findings = PolicyLinter.Lint(NoVersion, new LintOptions { VersioningEnabled = true });
            var f = Assert.Single(findings, x => x.Id == FindingIds.MissingVersion);
            Assert.Equal(FindingSeverity.Warning, f.Severity);
            Assert.Null(f.StatementIndex);
            Assert.Contains("\"Version\": \"2012-10-17\"", f.Fix);
            Assert.Contains("variables", f.Fix);
            Assert.Contains("uses some", f.Message);

            Assert.DoesNotContain(PolicyLinter.Lint("{\"Version\":\"2012-10-17\"," + NoVersion.Substring(1), new LintOptions()), x => x.Id == FindingIds.MissingVersion);
        }

        [Fact]
        public void NonStringIdErrorReadsOnce()
        {
            var ex = Assert.Throws<PolicyFormatException>(() => PolicyJson.Parse("{\"Version\":\"2012-10-17\",\"Id\":5,\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}"));
            Assert.DoesNotContain("a string such as a string such as", ex.Message);
            Assert.Contains("must be a string such as \"BackupPolicy\"", ex.Message);
        }
    }
}
