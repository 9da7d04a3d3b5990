using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Simulation
{
    public class PolicyEvaluatorTests
    {
        private const string Account = "123456789012";
        private static readonly PrincipalInfo User = PrincipalInfo.ForUser(Account, "backup");
        private static readonly PrincipalInfo OtherUser = PrincipalInfo.ForUser(Account, "intruder");

        internal static NamedPolicy Policy(string name, string json, bool resource = false) =>
            new NamedPolicy(name, PolicyJson.Parse(json), resource);

        private static NamedPolicy Identity(string statementsJson) =>
            Policy("P", "{\"Version\":\"2012-10-17\",\"Statement\":[" + statementsJson + "]}");

        private static EvaluationResult Eval(NamedPolicy policy, string action, string resource, PrincipalInfo? principal = null, Dictionary<string, IReadOnlyList<string>>? context = null) =>
            new PolicyEvaluator().Evaluate(new[] { policy }, null, new EvaluationRequest(action, resource, principal ?? User, context));

        private static Dictionary<string, IReadOnlyList<string>> Ctx(string key, params string[] values) =>
            new() { [key] = values };

        private static Decision Cond(string op, string key, string policyValueJson, Dictionary<string, IReadOnlyList<string>>? context, PrincipalInfo? principal = null)
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"" + op + "\":{\"" + key + "\":" + policyValueJson + "}}}");
            return Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/k", principal, context).Decision;
        }

        [Fact]
        public void NoPoliciesIsImplicitDeny()
        {
            var result = new PolicyEvaluator().Evaluate(Array.Empty<NamedPolicy>(), null, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::bkt/k", User));
            Assert.Equal(Decision.ImplicitDeny, result.Decision);
            Assert.Null(result.PolicyName);
            Assert.Contains("no statement allows", result.Reason);
        }

        [Fact]
        public void DenyBeatsAllowAcrossTwoPolicies()
        {
            var allow = Policy("AllowAll", "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
            var deny = Policy("DenyDelete", "{\"Statement\":[{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Action\":\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::bkt/*\"}]}");
            var evaluator = new PolicyEvaluator();
            var denied = evaluator.Evaluate(new[] { allow, deny }, null, new EvaluationRequest("s3:DeleteObject", "arn:aws:s3:::bkt/x", User));
            Assert.Equal(Decision.ExplicitDeny, denied.Decision);
            Assert.Equal("DenyDelete", denied.PolicyName);
            Assert.Equal("NoDelete", denied.Sid);
            var allowed = evaluator.Evaluate(new[] { allow, deny }, null, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::bkt/x", User));
            Assert.Equal(Decision.Allowed, allowed.Decision);
            Assert.Equal("AllowAll", allowed.PolicyName);
        }

        [Fact]
        public void NotActionDenyDeniesEverythingExceptPutObject()
        {
            var p = Identity(
                "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}," +
                "{\"Sid\":\"OnlyPut\",\"Effect\":\"Deny\",\"NotAction\":\"s3:PutObject\",\"Resource\":\"*\"}");
            Assert.Equal(Decision.Allowed, Eval(p, "s3:PutObject", "arn:aws:s3:::bkt/k").Decision);
            var get = Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/k");
            Assert.Equal(Decision.ExplicitDeny, get.Decision);
            Assert.Equal(1, get.StatementIndex);
            Assert.Equal(Decision.ExplicitDeny, Eval(p, "s3:ListBucket", "arn:aws:s3:::bkt").Decision);
        }

        [Fact]
        public void ActionMatchingIsCaseInsensitiveWithWildcards()
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":[\"S3:get*\",\"s3:List?ucket\"],\"Resource\":\"*\"}");
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/k").Decision);
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GETOBJECTVERSION", "arn:aws:s3:::bkt/k").Decision);
            Assert.Equal(Decision.Allowed, Eval(p, "s3:listbucket", "arn:aws:s3:::bkt").Decision);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:ListBuckets", "arn:aws:s3:::bkt").Decision);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:PutObject", "arn:aws:s3:::bkt/k").Decision);
        }

        [Fact]
        public void ResourceMatchingIsCaseSensitive()
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bkt/Backup/*\"}");
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/Backup/a").Decision);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/backup/a").Decision);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::BKT/Backup/a").Decision);
        }

        [Fact]
        public void NotResourceMatchesEverythingElse()
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"NotResource\":\"arn:aws:s3:::secret/*\"}");
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/a").Decision);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::secret/a").Decision);
        }

        [Fact]
        public void StringLikeSupportsStarAndQuestionMark()
        {
            Assert.Equal(Decision.Allowed, Cond("StringLike", "s3:prefix", "\"backups/*\"", Ctx("s3:prefix", "backups/a/b")));
            Assert.Equal(Decision.Allowed, Cond("StringLike", "s3:prefix", "\"backups/*\"", Ctx("s3:prefix", "backups/")));
            Assert.Equal(Decision.ImplicitDeny, Cond("StringLike", "s3:prefix", "\"backups/*\"", Ctx("s3:prefix", "Backups/a")));
            Assert.Equal(Decision.Allowed, Cond("StringLike", "s3:prefix", "\"day-?/\"", Ctx("s3:prefix", "day-7/")));
            Assert.Equal(Decision.ImplicitDeny, Cond("StringLike", "s3:prefix", "\"day-?/\"", Ctx("s3:prefix", "day-17/")));
            Assert.Equal(Decision.Allowed, Cond("StringLike", "s3:prefix", "\"a*b*c\"", Ctx("s3:prefix", "axxbyybzzc")));
            Assert.Equal(Decision.ImplicitDeny, Cond("StringLike", "s3:prefix", "\"a*b*c\"", Ctx("s3:prefix", "axxbyybzzcd")));
        }

        [Fact]
        public void StringEqualsAndIgnoreCaseAndMultipleValuesAreOred()
        {
            Assert.Equal(Decision.Allowed, Cond("StringEquals", "s3:prefix", "[\"a/\",\"b/\"]", Ctx("s3:prefix", "b/")));
            Assert.Equal(Decision.ImplicitDeny, Cond("StringEquals", "s3:prefix", "[\"a/\",\"b/\"]", Ctx("s3:prefix", "B/")));
            Assert.Equal(Decision.ImplicitDeny, Cond("StringEquals", "s3:prefix", "\"a*\"", Ctx("s3:prefix", "ab")));
            Assert.Equal(Decision.Allowed, Cond("StringEqualsIgnoreCase", "s3:prefix", "\"ABC\"", Ctx("s3:prefix", "abc")));
            Assert.Equal(Decision.ImplicitDeny, Cond("StringNotEqualsIgnoreCase", "s3:prefix", "\"ABC\"", Ctx("s3:prefix", "abc")));
        }

        [Fact]
        public void NegatedOperatorWithMultipleValuesIsNor()
        {
            Assert.Equal(Decision.Allowed, Cond("StringNotEquals", "s3:prefix", "[\"a/\",\"b/\"]", Ctx("s3:prefix", "c/")));
            Assert.Equal(Decision.ImplicitDeny, Cond("StringNotEquals", "s3:prefix", "[\"a/\",\"b/\"]", Ctx("s3:prefix", "a/")));
            Assert.Equal(Decision.ImplicitDeny, Cond("StringNotLike", "s3:prefix", "[\"x*\",\"b*\"]", Ctx("s3:prefix", "b/")));
        }

        [Fact]
        public void MissingKeyMakesPositiveOperatorFalse()
        {
            Assert.Equal(Decision.ImplicitDeny, Cond("StringEquals", "s3:prefix", "\"a/\"", null));
            Assert.Equal(Decision.ImplicitDeny, Cond("StringLike", "s3:prefix", "\"*\"", null));
            Assert.Equal(Decision.ImplicitDeny, Cond("NumericLessThan", "s3:max-keys", "\"10\"", null));
        }

        [Fact]
        public void MissingKeyMakesNegatedOperatorTrue()
        {
            // IAM User Guide, condition operators, "Important": a missing key makes a NOT-matching condition true.
            Assert.Equal(Decision.Allowed, Cond("StringNotEquals", "s3:prefix", "\"a/\"", null));
            Assert.Equal(Decision.Allowed, Cond("StringNotLike", "s3:prefix", "\"a*\"", null));
            Assert.Equal(Decision.Allowed, Cond("ArnNotLike", "aws:SourceArn", "\"arn:aws:s3:::x\"", null));
        }

        [Fact]
        public void MissingKeyWithIfExistsIsTrue()
        {
            Assert.Equal(Decision.Allowed, Cond("StringEqualsIfExists", "s3:prefix", "\"a/\"", null));
            Assert.Equal(Decision.Allowed, Cond("StringNotEqualsIfExists", "s3:prefix", "\"a/\"", null));
            Assert.Equal(Decision.Allowed, Cond("NumericLessThanIfExists", "s3:max-keys", "\"10\"", null));
            // Present key: IfExists behaves like the plain operator.
            Assert.Equal(Decision.ImplicitDeny, Cond("StringEqualsIfExists", "s3:prefix", "\"a/\"", Ctx("s3:prefix", "b/")));
            Assert.Equal(Decision.Allowed, Cond("StringEqualsIfExists", "s3:prefix", "\"a/\"", Ctx("s3:prefix", "a/")));
            Assert.Equal(Decision.ImplicitDeny, Cond("StringNotEqualsIfExists", "s3:prefix", "\"a/\"", Ctx("s3:prefix", "a/")));
        }

        [Fact]
        public void ConditionKeyLookupIsCaseInsensitive()
        {
            Assert.Equal(Decision.Allowed, Cond("StringEquals", "S3:Prefix", "\"a/\"", Ctx("s3:prefix", "a/")));
        }

        [Fact]
        public void ForAllValuesOnEmptyOrMissingSetIsTrue()
        {
            Assert.Equal(Decision.Allowed, Cond("ForAllValues:StringEquals", "aws:TagKeys", "[\"a\",\"b\"]", null));
            Assert.Equal(Decision.Allowed, Cond("ForAllValues:StringEquals", "aws:TagKeys", "[\"a\",\"b\"]", Ctx("aws:TagKeys")));
            Assert.Equal(Decision.Allowed, Cond("ForAllValues:StringEquals", "aws:TagKeys", "[\"a\",\"b\"]", Ctx("aws:TagKeys", "a", "b")));
            Assert.Equal(Decision.ImplicitDeny, Cond("ForAllValues:StringEquals", "aws:TagKeys", "[\"a\",\"b\"]", Ctx("aws:TagKeys", "a", "c")));
        }

        [Fact]
        public void ForAnyValueOnEmptyOrMissingSetIsFalse()
        {
            Assert.Equal(Decision.ImplicitDeny, Cond("ForAnyValue:StringEquals", "aws:TagKeys", "[\"a\",\"b\"]", null));
            Assert.Equal(Decision.ImplicitDeny, Cond("ForAnyValue:StringEquals", "aws:TagKeys", "[\"a\",\"b\"]", Ctx("aws:TagKeys")));
            Assert.Equal(Decision.Allowed, Cond("ForAnyValue:StringEquals", "aws:TagKeys", "[\"a\",\"b\"]", Ctx("aws:TagKeys", "z", "b")));
            Assert.Equal(Decision.ImplicitDeny, Cond("ForAnyValue:StringEquals", "aws:TagKeys", "[\"a\",\"b\"]", Ctx("aws:TagKeys", "y", "z")));
            Assert.Equal(Decision.Allowed, Cond("ForAnyValue:StringLikeIfExists", "aws:TagKeys", "\"a*\"", null));
        }

        [Fact]
        public void SetQualifiersWithNegatedOperators()
        {
            Assert.Equal(Decision.Allowed, Cond("ForAllValues:StringNotEquals", "aws:TagKeys", "[\"secret\"]", Ctx("aws:TagKeys", "a", "b")));
            Assert.Equal(Decision.ImplicitDeny, Cond("ForAllValues:StringNotEquals", "aws:TagKeys", "[\"secret\"]", Ctx("aws:TagKeys", "a", "secret")));
            Assert.Equal(Decision.Allowed, Cond("ForAnyValue:StringNotEquals", "aws:TagKeys", "[\"secret\"]", Ctx("aws:TagKeys", "a", "secret")));
            Assert.Equal(Decision.ImplicitDeny, Cond("ForAnyValue:StringNotEquals", "aws:TagKeys", "[\"secret\"]", Ctx("aws:TagKeys", "secret")));
        }

        [Fact]
        public void NullOperatorTestsPresence()
        {
            Assert.Equal(Decision.Allowed, Cond("Null", "s3:prefix", "\"true\"", null));
            Assert.Equal(Decision.ImplicitDeny, Cond("Null", "s3:prefix", "\"true\"", Ctx("s3:prefix", "")));
            Assert.Equal(Decision.Allowed, Cond("Null", "s3:prefix", "\"false\"", Ctx("s3:prefix", "")));
            Assert.Equal(Decision.ImplicitDeny, Cond("Null", "s3:prefix", "\"false\"", null));
            Assert.Equal(Decision.Allowed, Cond("Null", "s3:prefix", "true", null));
        }

        [Fact]
        public void NumericOperators()
        {
            var ctx = Ctx("s3:max-keys", "10");
            Assert.Equal(Decision.Allowed, Cond("NumericEquals", "s3:max-keys", "\"10\"", ctx));
            Assert.Equal(Decision.Allowed, Cond("NumericEquals", "s3:max-keys", "10.0", ctx));
            Assert.Equal(Decision.ImplicitDeny, Cond("NumericNotEquals", "s3:max-keys", "10", ctx));
            Assert.Equal(Decision.Allowed, Cond("NumericNotEquals", "s3:max-keys", "11", ctx));
            Assert.Equal(Decision.Allowed, Cond("NumericLessThan", "s3:max-keys", "11", ctx));
            Assert.Equal(Decision.ImplicitDeny, Cond("NumericLessThan", "s3:max-keys", "10", ctx));
            Assert.Equal(Decision.Allowed, Cond("NumericLessThanEquals", "s3:max-keys", "10", ctx));
            Assert.Equal(Decision.Allowed, Cond("NumericGreaterThan", "s3:max-keys", "9", ctx));
            Assert.Equal(Decision.ImplicitDeny, Cond("NumericGreaterThan", "s3:max-keys", "10", ctx));
            Assert.Equal(Decision.Allowed, Cond("NumericGreaterThanEquals", "s3:max-keys", "10", ctx));
            Assert.Equal(Decision.ImplicitDeny, Cond("NumericEquals", "s3:max-keys", "10", Ctx("s3:max-keys", "ten")));
        }

        [Fact]
        public void DateOperatorsAcceptIsoAndEpoch()
        {
            var ctx = Ctx("aws:CurrentTime", "2024-06-01T12:00:00Z");
            Assert.Equal(Decision.Allowed, Cond("DateLessThan", "aws:CurrentTime", "\"2024-12-31T00:00:00Z\"", ctx));
            Assert.Equal(Decision.ImplicitDeny, Cond("DateLessThan", "aws:CurrentTime", "\"2024-01-01T00:00:00Z\"", ctx));
            Assert.Equal(Decision.Allowed, Cond("DateGreaterThan", "aws:CurrentTime", "\"2024-01-01\"", ctx));
            Assert.Equal(Decision.Allowed, Cond("DateEquals", "aws:CurrentTime", "\"1717243200\"", ctx));
            Assert.Equal(Decision.Allowed, Cond("DateEquals", "aws:CurrentTime", "\"2024-06-01T14:00:00+02:00\"", ctx));
            Assert.Equal(Decision.ImplicitDeny, Cond("DateNotEquals", "aws:CurrentTime", "\"1717243200\"", ctx));
            Assert.Equal(Decision.Allowed, Cond("DateLessThanEquals", "aws:CurrentTime", "\"1717243200\"", ctx));
            Assert.Equal(Decision.Allowed, Cond("DateGreaterThanEquals", "aws:CurrentTime", "\"2024-06-01T12:00:00Z\"", Ctx("aws:CurrentTime", "1717243200")));
            Assert.Equal(Decision.ImplicitDeny, Cond("DateGreaterThan", "aws:CurrentTime", "\"2024-06-01T12:00:00Z\"", ctx));
        }

        [Fact]
        public void BoolOperator()
        {
            Assert.Equal(Decision.Allowed, Cond("Bool", "aws:SecureTransport", "true", Ctx("aws:SecureTransport", "true")));
            Assert.Equal(Decision.Allowed, Cond("Bool", "aws:SecureTransport", "\"True\"", Ctx("aws:SecureTransport", "true")));
            Assert.Equal(Decision.ImplicitDeny, Cond("Bool", "aws:SecureTransport", "true", Ctx("aws:SecureTransport", "false")));
            Assert.Equal(Decision.ImplicitDeny, Cond("Bool", "aws:SecureTransport", "true", null));
        }

        [Fact]
        public void BinaryEqualsComparesDecodedBytes()
        {
            Assert.Equal(Decision.Allowed, Cond("BinaryEquals", "k:bin", "\"QmluYXJ5\"", Ctx("k:bin", "QmluYXJ5")));
            Assert.Equal(Decision.ImplicitDeny, Cond("BinaryEquals", "k:bin", "\"QmluYXJ5\"", Ctx("k:bin", "QmluYXJ6")));
        }

        [Fact]
        public void IpAddressOperatorsIPv4()
        {
            Assert.Equal(Decision.Allowed, Cond("IpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", Ctx("aws:SourceIp", "203.0.113.77")));
            Assert.Equal(Decision.ImplicitDeny, Cond("IpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", Ctx("aws:SourceIp", "203.0.114.1")));
            Assert.Equal(Decision.Allowed, Cond("IpAddress", "aws:SourceIp", "\"10.0.0.0/9\"", Ctx("aws:SourceIp", "10.127.255.255")));
            Assert.Equal(Decision.ImplicitDeny, Cond("IpAddress", "aws:SourceIp", "\"10.0.0.0/9\"", Ctx("aws:SourceIp", "10.128.0.0")));
            Assert.Equal(Decision.Allowed, Cond("IpAddress", "aws:SourceIp", "\"192.0.2.5\"", Ctx("aws:SourceIp", "192.0.2.5")));
            Assert.Equal(Decision.Allowed, Cond("NotIpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", Ctx("aws:SourceIp", "198.51.100.1")));
            Assert.Equal(Decision.ImplicitDeny, Cond("NotIpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", Ctx("aws:SourceIp", "203.0.113.1")));
        }

        [Fact]
        public void IpAddressOperatorsIPv6()
        {
            Assert.Equal(Decision.Allowed, Cond("IpAddress", "aws:SourceIp", "\"2001:db8::/32\"", Ctx("aws:SourceIp", "2001:db8:1234::1")));
            Assert.Equal(Decision.ImplicitDeny, Cond("IpAddress", "aws:SourceIp", "\"2001:db8::/32\"", Ctx("aws:SourceIp", "2001:db9::1")));
            Assert.Equal(Decision.ImplicitDeny, Cond("IpAddress", "aws:SourceIp", "\"2001:db8::/32\"", Ctx("aws:SourceIp", "203.0.113.1")));
            Assert.Equal(Decision.Allowed, Cond("IpAddress", "aws:SourceIp", "[\"203.0.113.0/24\",\"2001:db8::/32\"]", Ctx("aws:SourceIp", "2001:db8::5")));
            Assert.Equal(Decision.Allowed, Cond("NotIpAddress", "aws:SourceIp", "\"2001:db8::/32\"", Ctx("aws:SourceIp", "2001:db9::1")));
        }

        [Fact]
        public void ArnOperatorsMatchPerComponent()
        {
            var ctx = Ctx("aws:SourceArn", "arn:aws:iam::123456789012:user/backup");
            Assert.Equal(Decision.Allowed, Cond("ArnEquals", "aws:SourceArn", "\"arn:aws:iam::123456789012:user/backup\"", ctx));
            Assert.Equal(Decision.Allowed, Cond("ArnLike", "aws:SourceArn", "\"arn:aws:iam::*:user/*\"", ctx));
            Assert.Equal(Decision.Allowed, Cond("ArnLike", "aws:SourceArn", "\"arn:aws:iam::1234567890??:user/back*\"", ctx));
            Assert.Equal(Decision.ImplicitDeny, Cond("ArnLike", "aws:SourceArn", "\"arn:aws:iam::*:role/*\"", ctx));
            // '*' does not cross the colon between components: the pattern has too few components.
            Assert.Equal(Decision.ImplicitDeny, Cond("ArnLike", "aws:SourceArn", "\"arn:aws:*\"", ctx));
            Assert.Equal(Decision.ImplicitDeny, Cond("ArnNotEquals", "aws:SourceArn", "\"arn:aws:iam::123456789012:user/backup\"", ctx));
            Assert.Equal(Decision.Allowed, Cond("ArnNotLike", "aws:SourceArn", "\"arn:aws:iam::*:role/*\"", ctx));
            Assert.Equal(Decision.ImplicitDeny, Cond("ArnEquals", "aws:SourceArn", "\"arn:aws:iam::123456789012:user/backup\"", Ctx("aws:SourceArn", "not-an-arn")));
        }

        [Fact]
        public void UnknownOperatorNeverMatchesAndIsNoted()
        {
            var doc = new PolicyDocument();
            var st = new PolicyStatement { Effect = PolicyEffect.Allow };
            st.Actions.Add("s3:GetObject");
            st.Resources.Add("*");
            st.Conditions.Add(new ConditionClause("stringequals", "s3:prefix", new[] { "a/" }));
            doc.Statements.Add(st);
            var result = Eval(new NamedPolicy("P", doc), "s3:GetObject", "arn:aws:s3:::b/k", context: Ctx("s3:prefix", "a/"));
            Assert.Equal(Decision.ImplicitDeny, result.Decision);
            Assert.Contains("stringequals", result.Reason);
        }

        [Fact]
        public void ClausesAreAnded()
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"*\",\"Condition\":{" +
                "\"StringEquals\":{\"s3:prefix\":\"a/\",\"s3:delimiter\":\"/\"},\"Bool\":{\"aws:SecureTransport\":\"true\"}}}");
            var all = new Dictionary<string, IReadOnlyList<string>> { ["s3:prefix"] = new[] { "a/" }, ["s3:delimiter"] = new[] { "/" }, ["aws:SecureTransport"] = new[] { "true" } };
            Assert.Equal(Decision.Allowed, Eval(p, "s3:ListBucket", "arn:aws:s3:::b", context: all).Decision);
            all.Remove("s3:delimiter");
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:ListBucket", "arn:aws:s3:::b", context: all).Decision);
        }

        [Fact]
        public void UserNameVariableInResource()
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:*Object\",\"Resource\":\"arn:aws:s3:::bkt/home/${aws:username}/*\"}");
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/home/backup/file").Decision);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/home/intruder/file").Decision);
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/home/intruder/file", OtherUser).Decision);
            // A principal without a user name: the variable does not resolve, so the value matches nothing.
            var role = new PrincipalInfo("arn:aws:iam::123456789012:role/r", Account);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/home//file", role).Decision);
        }

        [Fact]
        public void UserIdVariable()
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bkt/${aws:userid}/*\"}");
            var withId = new PrincipalInfo("arn:aws:iam::123456789012:user/backup", Account, "backup", "AIDAEXAMPLE");
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/AIDAEXAMPLE/x", withId).Decision);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/AIDAOTHER/x", withId).Decision);
            // ForUser does not know the unique id: unresolved.
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/AIDAEXAMPLE/x", User).Decision);
        }

        [Fact]
        public void PrincipalAccountVariableInConditionAndResource()
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bkt-${aws:PrincipalAccount}/*\"," +
                "\"Condition\":{\"StringEquals\":{\"s3:ResourceAccount\":\"${aws:PrincipalAccount}\"}}}");
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt-123456789012/x", context: Ctx("s3:ResourceAccount", Account)).Decision);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt-123456789012/x", context: Ctx("s3:ResourceAccount", "999999999999")).Decision);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt-999999999999/x", context: Ctx("s3:ResourceAccount", Account)).Decision);
        }

        [Fact]
        public void EscapeVariablesAreLiteral()
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bkt/a${*}b${?}${$}\"}");
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/a*b?$").Decision);
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/axxbc$").Decision);
        }

        [Fact]
        public void VariableDefaultValueIsUsedWhenUnresolved()
        {
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bkt/${aws:userid, 'shared'}/*\"}");
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/shared/x").Decision);
        }

        [Fact]
        public void VariablesAreLiteralInOldPolicyVersion()
        {
            var p = Policy("Old", "{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bkt/${aws:username}/*\"}]}");
            Assert.Equal(Decision.ImplicitDeny, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/backup/x").Decision);
            Assert.Equal(Decision.Allowed, Eval(p, "s3:GetObject", "arn:aws:s3:::bkt/${aws:username}/x").Decision);
        }

        private static NamedPolicy BucketPolicy(string principalJson, string effect = "Allow", string principalElement = "Principal") =>
            Policy("BucketPolicy", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S\",\"Effect\":\"" + effect + "\",\"" + principalElement + "\":" + principalJson +
                ",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bkt/*\"}]}", resource: true);

        private static Decision ViaBucketPolicy(NamedPolicy bucketPolicy, PrincipalInfo principal) =>
            new PolicyEvaluator().Evaluate(Array.Empty<NamedPolicy>(), bucketPolicy, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::bkt/k", principal)).Decision;

        [Fact]
        public void BucketPolicyPrincipalUserArnMatchesOnlyThatUser()
        {
            var bp = BucketPolicy("{\"AWS\":\"arn:aws:iam::123456789012:user/backup\"}");
            Assert.Equal(Decision.Allowed, ViaBucketPolicy(bp, User));
            Assert.Equal(Decision.ImplicitDeny, ViaBucketPolicy(bp, OtherUser));
        }

        [Theory]
        [InlineData("{\"AWS\":\"arn:aws:iam::123456789012:root\"}")]
        [InlineData("{\"AWS\":\"123456789012\"}")]
        public void BucketPolicyAllowNamingOnlyTheAccountDelegatesToIdentityPolicies(string principal)
        {
            // An account principal delegates to the account: the user still needs an identity-policy Allow.
            var bp = BucketPolicy(principal);
            var evaluator = new PolicyEvaluator();
            var listOnly = Policy("ListOnly", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::bkt\"}]}");
            var alone = evaluator.Evaluate(new[] { listOnly }, bp, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::bkt/k", User));
            Assert.Equal(Decision.ImplicitDeny, alone.Decision);
            Assert.Contains("delegates to the account", alone.Reason);

            var getObject = Policy("Get", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bkt/*\"}]}");
            Assert.Equal(Decision.Allowed, evaluator.Evaluate(new[] { getObject }, bp, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::bkt/k", User)).Decision);
            Assert.Equal(Decision.ImplicitDeny, ViaBucketPolicy(BucketPolicy("{\"AWS\":\"arn:aws:iam::999999999999:root\"}"), User));
        }

        [Theory]
        [InlineData("{\"AWS\":\"arn:aws:iam::123456789012:root\"}")]
        [InlineData("{\"AWS\":\"123456789012\"}")]
        public void BucketPolicyDenyNamingTheAccountAppliesToItsUsers(string principal)
        {
            var allow = Policy("AllowAll", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
            var result = new PolicyEvaluator().Evaluate(new[] { allow }, BucketPolicy(principal, "Deny"), new EvaluationRequest("s3:GetObject", "arn:aws:s3:::bkt/k", User));
            Assert.Equal(Decision.ExplicitDeny, result.Decision);
        }

        [Fact]
        public void BucketPolicyPrincipalWildcards()
        {
            Assert.Equal(Decision.Allowed, ViaBucketPolicy(BucketPolicy("\"*\""), User));
            Assert.Equal(Decision.Allowed, ViaBucketPolicy(BucketPolicy("{\"AWS\":\"*\"}"), OtherUser));
            Assert.Equal(Decision.ImplicitDeny, ViaBucketPolicy(BucketPolicy("{\"Service\":\"s3.amazonaws.com\"}"), User));
        }

        [Fact]
        public void NotPrincipalDenyExemptsListedPrincipal()
        {
            var allow = Policy("AllowAll", "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
            var bp = BucketPolicy("{\"AWS\":\"arn:aws:iam::123456789012:user/backup\"}", "Deny", "NotPrincipal");
            var evaluator = new PolicyEvaluator();
            var forUser = evaluator.Evaluate(new[] { allow }, bp, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::bkt/k", User));
            var forOther = evaluator.Evaluate(new[] { allow }, bp, new EvaluationRequest("s3:GetObject", "arn:aws:s3:::bkt/k", OtherUser));
            Assert.Equal(Decision.Allowed, forUser.Decision);
            Assert.Equal(Decision.ExplicitDeny, forOther.Decision);
            Assert.Equal("BucketPolicy", forOther.PolicyName);
        }

        [Fact]
        public void ResourcePolicyStatementWithoutPrincipalAndIdentityStatementWithPrincipalAreIgnored()
        {
            var identity = new PolicyDocument();
            var st = new PolicyStatement { Effect = PolicyEffect.Allow, Principal = new PrincipalBlock { IsWildcard = true } };
            st.Actions.Add("s3:*");
            st.Resources.Add("*");
            identity.Statements.Add(st);
            var resource = new PolicyDocument();
            var rs = new PolicyStatement { Effect = PolicyEffect.Allow };
            rs.Actions.Add("s3:*");
            rs.Resources.Add("*");
            resource.Statements.Add(rs);
            var result = new PolicyEvaluator().Evaluate(
                new[] { new NamedPolicy("I", identity) }, new NamedPolicy("R", resource, true),
                new EvaluationRequest("s3:GetObject", "arn:aws:s3:::bkt/k", User));
            Assert.Equal(Decision.ImplicitDeny, result.Decision);
        }

        [Fact]
        public void ResultReportsStatementIndexAndSid()
        {
            var p = Policy("Backup", "{\"Version\":\"2012-10-17\",\"Statement\":[" +
                "{\"Sid\":\"List\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::bkt\"}," +
                "{\"Sid\":\"Write\",\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bkt/*\"}]}");
            var result = Eval(p, "s3:PutObject", "arn:aws:s3:::bkt/k");
            Assert.Equal(Decision.Allowed, result.Decision);
            Assert.Equal("Backup", result.PolicyName);
            Assert.Equal(1, result.StatementIndex);
            Assert.Equal("Write", result.Sid);
            Assert.Equal("Backup/Statement[1] (Write)", result.DecidedBy);
            Assert.Contains("Backup/Statement[1] (Write)", result.Reason);
        }

        [Fact]
        public void EditedPolicyIsRecompiled()
        {
            var evaluator = new PolicyEvaluator();
            var p = Identity("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}");
            var request = new EvaluationRequest("s3:PutObject", "arn:aws:s3:::bkt/k", User);
            Assert.Equal(Decision.ImplicitDeny, evaluator.Evaluate(new[] { p }, null, request).Decision);
            p.Document.Statements[0].Actions[0] = "s3:PutObject";
            Assert.Equal(Decision.Allowed, evaluator.Evaluate(new[] { p }, null, request).Decision);
        }

        [Fact]
        public void ForUserBuildsArnAndValidates()
        {
            var u = PrincipalInfo.ForUser(Account, "backup", "/svc/");
            Assert.Equal("arn:aws:iam::123456789012:user/svc/backup", u.Arn);
            Assert.Equal("arn:aws:iam::123456789012:root", u.AccountRootArn);
            var ex = Assert.Throws<BackupIam.Engine.Errors.InputValidationException>(() => PrincipalInfo.ForUser("12345", "backup"));
            Assert.Equal("AccountIdInvalid", ex.ErrorId);
            Assert.Equal("UserNameInvalid", Assert.Throws<BackupIam.Engine.Errors.InputValidationException>(() => PrincipalInfo.ForUser(Account, "bad name")).ErrorId);
            Assert.Equal("IamPathInvalid", Assert.Throws<BackupIam.Engine.Errors.InputValidationException>(() => PrincipalInfo.ForUser(Account, "b", "svc")).ErrorId);
        }
    }
}
