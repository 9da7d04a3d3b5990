using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using Xunit;

namespace BackupIam.Engine.Tests.Policies
{
    public class PolicyJsonTests
    {
        private static string Q(string s) => s.Replace('\'', '"');

        [Fact]
        public void ParsesSingleStatementObjectAndStringForms()
        {
            PolicyDocument doc = PolicyJson.Parse(Q("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':'s3:PutObject','Resource':'arn:aws:s3:::b/*'}}"));
            PolicyStatement st = Assert.Single(doc.Statements);
            Assert.Equal(PolicyEffect.Allow, st.Effect);
            Assert.Equal(new[] { "s3:PutObject" }, st.Actions);
            Assert.False(st.IsNotAction);
            Assert.Equal(new[] { "arn:aws:s3:::b/*" }, st.Resources);
            Assert.Null(st.Principal);
        }

        [Fact]
        public void ParsesArrayFormsNotActionNotResourceAndId()
        {
            PolicyDocument doc = PolicyJson.Parse(Q(
                "{'Id':'P1','Statement':[" +
                "{'Sid':'A','Effect':'Deny','NotAction':['s3:Get*','s3:List*'],'NotResource':['arn:aws:s3:::b','arn:aws:s3:::b/*']}," +
                "{'Effect':'Allow','Action':'*','Resource':'*'}]}"));
            Assert.Equal("P1", doc.Id);
            Assert.Equal("2012-10-17", doc.Version);
            Assert.Equal(2, doc.Statements.Count);
            PolicyStatement a = doc.Statements[0];
            Assert.Equal("A", a.Sid);
            Assert.Equal(PolicyEffect.Deny, a.Effect);
            Assert.True(a.IsNotAction);
            Assert.Equal(new[] { "s3:Get*", "s3:List*" }, a.Actions);
            Assert.True(a.IsNotResource);
            Assert.Equal(new[] { "arn:aws:s3:::b", "arn:aws:s3:::b/*" }, a.Resources);
            Assert.Null(doc.Statements[1].Sid);
        }

        [Fact]
        public void ParsesLegacyVersion()
        {
            PolicyDocument doc = PolicyJson.Parse(Q("{'Version':'2008-10-17','Statement':[{'Effect':'Allow','Action':'s3:GetObject','Resource':'*'}]}"));
            Assert.Equal("2008-10-17", doc.Version);
            Assert.StartsWith("{\n    \"Version\": \"2008-10-17\"", PolicyJson.ToJson(doc));
        }

        [Fact]
        public void ParsesPrincipalForms()
        {
            PolicyDocument doc = PolicyJson.Parse(Q(
                "{'Statement':[" +
                "{'Effect':'Allow','Principal':'*','Action':'s3:GetObject','Resource':'arn:aws:s3:::b/*'}," +
                "{'Effect':'Allow','Principal':{'Service':'cloudtrail.amazonaws.com','AWS':['arn:aws:iam::123456789012:user/a','arn:aws:iam::123456789012:root']},'Action':'s3:GetObject','Resource':'arn:aws:s3:::b/*'}," +
                "{'Effect':'Deny','NotPrincipal':{'AWS':'arn:aws:iam::123456789012:user/a'},'Action':'s3:*','Resource':'arn:aws:s3:::b/*'}]}"));
            Assert.True(doc.Statements[0].Principal!.IsWildcard);
            PrincipalBlock p = doc.Statements[1].Principal!;
            Assert.False(p.IsWildcard);
            Assert.Equal(new[] { "arn:aws:iam::123456789012:user/a", "arn:aws:iam::123456789012:root" }, p.Values["AWS"]);
            Assert.Equal(new[] { "cloudtrail.amazonaws.com" }, p.Values["Service"]);
            Assert.Equal(new[] { "arn:aws:iam::123456789012:user/a" }, doc.Statements[2].NotPrincipal!.Values["AWS"]);
            string json = PolicyJson.ToJson(doc, indented: false);
            Assert.Contains(Q("'Principal':'*'"), json);
            Assert.Contains(Q("'Principal':{'AWS':['arn:aws:iam::123456789012:user/a','arn:aws:iam::123456789012:root'],'Service':'cloudtrail.amazonaws.com'}"), json);
            Assert.Contains(Q("'NotPrincipal':{'AWS':'arn:aws:iam::123456789012:user/a'}"), json);
        }

        [Fact]
        public void ParsesConditionsWithStringNumberAndBoolValues()
        {
            PolicyDocument doc = PolicyJson.Parse(Q(
                "{'Statement':[{'Effect':'Deny','Action':'s3:*','Resource':'*','Condition':{" +
                "'Bool':{'aws:SecureTransport':false}," +
                "'NumericLessThan':{'s3:TlsVersion':1.2,'s3:max-keys':[10, 20]}," +
                "'StringEquals':{'s3:prefix':['','backup/'],'s3:delimiter':'/'}}}]}"));
            List<ConditionClause> c = doc.Statements[0].Conditions;
            Assert.Equal(5, c.Count);
            Assert.Equal(("Bool", "aws:SecureTransport"), (c[0].Operator, c[0].Key));
            Assert.Equal(new[] { "false" }, c[0].Values);
            Assert.Equal(new[] { "1.2" }, c[1].Values);
            Assert.Equal(new[] { "10", "20" }, c[2].Values);
            Assert.Equal(("StringEquals", "s3:prefix"), (c[3].Operator, c[3].Key));
            Assert.Equal(new[] { "", "backup/" }, c[3].Values);
            Assert.Equal(new[] { "/" }, c[4].Values);
            string json = PolicyJson.ToJson(doc, indented: false);
            Assert.Contains(Q("'Condition':{'Bool':{'aws:SecureTransport':'false'},'NumericLessThan':{'s3:TlsVersion':'1.2','s3:max-keys':['10','20']},'StringEquals':{'s3:prefix':['','backup/'],'s3:delimiter':'/'}}"), json);
        }

        [Fact]
        public void CanonicalRenderOrdersKeysAndAlwaysUsesStatementArray()
        {
            string src = Q("{'Statement':{'Condition':{'StringLike':{'s3:prefix':'a/*'}},'Resource':['arn:aws:s3:::b'],'Action':['s3:ListBucket'],'Effect':'Allow','Sid':'List'},'Id':'X','Version':'2012-10-17'}");
            string expected =
                "{\n" +
                "    \"Version\": \"2012-10-17\",\n" +
                "    \"Id\": \"X\",\n" +
                "    \"Statement\": [\n" +
                "        {\n" +
                "            \"Sid\": \"List\",\n" +
                "            \"Effect\": \"Allow\",\n" +
                "            \"Action\": \"s3:ListBucket\",\n" +
                "            \"Resource\": \"arn:aws:s3:::b\",\n" +
                "            \"Condition\": {\n" +
                "                \"StringLike\": {\n" +
                "                    \"s3:prefix\": \"a/*\"\n" +
                "                }\n" +
                "            }\n" +
                "        }\n" +
                "    ]\n" +
                "}";
            Assert.Equal(expected, PolicyJson.ToJson(PolicyJson.Parse(src)));
        }

        [Theory]
        [InlineData("{'Statement':[{'Effect':'Allow','Action':['s3:GetObject','s3:PutObject'],'Resource':'arn:aws:s3:::b/*'}]}")]
        [InlineData("{'Version':'2008-10-17','Id':'x','Statement':{'Sid':'s','Effect':'Deny','NotPrincipal':{'AWS':['arn:aws:iam::123456789012:user/a','arn:aws:iam::123456789012:user/b']},'NotAction':'s3:Delete*','NotResource':'arn:aws:s3:::b/keep/*','Condition':{'ForAnyValue:StringLikeIfExists':{'aws:TagKeys':['a*','b']},'Null':{'aws:MultiFactorAuthAge':true}}}}")]
        [InlineData("{'Statement':[{'Effect':'Allow','Principal':{'Service':'s3.amazonaws.com'},'Action':'sts:AssumeRole'}]}")]
        public void RoundTripIsStable(string src)
        {
            PolicyDocument first = PolicyJson.Parse(Q(src));
            string pretty = PolicyJson.ToJson(first);
            string compact = PolicyJson.ToJson(first, indented: false);
            Assert.Equal(pretty, PolicyJson.ToJson(PolicyJson.Parse(pretty)));
            Assert.Equal(compact, PolicyJson.ToJson(PolicyJson.Parse(compact), indented: false));
            Assert.Equal(pretty, PolicyJson.ToJson(PolicyJson.Parse(compact)));
        }

        [Fact]
        public void CountsNonWhitespaceCharactersOfCompactForm()
        {
            PolicyDocument doc = PolicyJson.Parse(Q("{ 'Statement' : { 'Effect' : 'Allow', 'Action' : 's3:GetObject', 'Resource' : 'arn:aws:s3:::my bucket/*' } }"));
            string compact = PolicyJson.ToJson(doc, indented: false);
            Assert.Equal(compact.Length - 1, PolicyJson.CountNonWhitespaceCharacters(doc)); // one space inside the ARN
        }

        [Fact]
        public void MalformedJsonGivesLineAndColumn()
        {
            var ex = Assert.Throws<PolicyFormatException>(() => PolicyJson.Parse("{\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"s3:GetObject\"}\n  ]\n}"));
            Assert.Equal("PolicyJsonMalformed", ex.ErrorId);
            Assert.Equal(3, ex.Line);
            Assert.Equal(24, ex.Column);
            Assert.Contains("line 3, column 24", ex.Message);
            Assert.IsAssignableFrom<BackupIamException>(ex);
            Assert.NotNull(ex.InnerException);
        }

        [Fact]
        public void EffectErrorNamesStatementSidAndField()
        {
            string src = Q("{'Version':'2012-10-17','Statement':[{'Sid':'BucketPermissions','Effect':'Allow','Action':'s3:ListBucket','Resource':'arn:aws:s3:::b'},{'Effect':'Alow','Sid':'ObjectPermissions','Action':'s3:PutObject','Resource':'arn:aws:s3:::b/*'}]}");
            var ex = Assert.Throws<PolicyFormatException>(() => PolicyJson.Parse(src));
            Assert.Equal("PolicyGrammarInvalid", ex.ErrorId);
            Assert.Equal(1, ex.StatementIndex);
            Assert.Equal("ObjectPermissions", ex.Sid);
            Assert.Equal("Effect", ex.Field);
            Assert.StartsWith("Statement[1] (Sid 'ObjectPermissions'): 'Effect' must be \"Allow\" or \"Deny\", got \"Alow\".", ex.Message);
            Assert.Equal(1, ex.Line);
        }

        public static IEnumerable<object?[]> GrammarErrors()
        {
            const string A = "'Action':'s3:GetObject'";
            const string R = "'Resource':'arn:aws:s3:::b/*'";
            // json, statement index, field, message fragment
            yield return new object?[] { "[1]", null, "Statement", "must be a JSON object" };
            yield return new object?[] { "{'Version':'2012-10-17'}", null, "Statement", "'Statement' is required" };
            yield return new object?[] { "{'Statement':[]}", null, "Statement", "at least one statement" };
            yield return new object?[] { "{'Statement':'x'}", null, "Statement", "object or an array" };
            yield return new object?[] { "{'Version':'2012-10-18','Statement':{'Effect':'Allow'," + A + "}}", null, "Version", "2012-10-17" };
            yield return new object?[] { "{'Version':2012,'Statement':{'Effect':'Allow'," + A + "}}", null, "Version", "must be a string" };
            yield return new object?[] { "{'Statment':[]}", null, "Statment", "unknown top-level element 'Statment'" };
            yield return new object?[] { "{'statement':[]}", null, "statement", "did you mean 'Statement'" };
            yield return new object?[] { "{'Statement':[{'Effect':'Allow'," + A + "},5]}", 1, "Statement", "must be a JSON object" };
            yield return new object?[] { "{'Statement':{" + A + "}}", 0, "Effect", "'Effect' is required" };
            yield return new object?[] { "{'Statement':{'Effect':'allow'," + A + "}}", 0, "Effect", "got \"allow\"" };
            yield return new object?[] { "{'Statement':{'Effect':true," + A + "}}", 0, "Effect", "got a boolean (true)" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + R + "}}", 0, "Action", "must have 'Action'" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'NotAction':'s3:PutObject'}}", 0, "NotAction", "not both" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow','Action':[]}}", 0, "Action", "empty array" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow','Action':['s3:GetObject',1]}}", 0, "Action", "must be strings" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow','Action':'GetObject'}}", 0, "Action", "service:Action" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow','Action':'s3:'}}", 0, "Action", "service:Action" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow','NotAction':'s3 :Get'}}", 0, "NotAction", "service:Action" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + "," + R + ",'NotResource':'*'}}", 0, "NotResource", "both 'Resource' and 'NotResource'" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Resource':'s3:::b'}}", 0, "Resource", "must be an ARN" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Resource':''}}", 0, "Resource", "non-empty" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Principal':'*','NotPrincipal':'*'}}", 0, "NotPrincipal", "both 'Principal' and 'NotPrincipal'" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Principal':'arn:aws:iam::123456789012:root'}}", 0, "Principal", "must be \"*\" or an object" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Principal':{}}}", 0, "Principal", "at least one principal" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Principal':{'User':'x'}}}", 0, "Principal", "unknown principal type" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Principal':{'AWS':5}}}", 0, "Principal", "string or an array" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Action2':'x'}}", 0, "Action2", "unknown statement element 'Action2'" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Effect':'Deny'}}", 0, "Effect", "more than once" };
            yield return new object?[] { "{'Statement':[{'Sid':'S','Effect':'Allow'," + A + "},{'Sid':'S','Effect':'Allow'," + A + "}]}", 1, "Sid", "already used by Statement[0]" };
            yield return new object?[] { "{'Statement':{'Sid':7,'Effect':'Allow'," + A + "}}", 0, "Sid", "must be a string" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Condition':[]}}", 0, "Condition", "must be an object" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Condition':{'StringEquals':'x'}}}", 0, "Condition", "must map to an object" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Condition':{'StringEquals':{}}}}", 0, "Condition", "at least one condition key" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Condition':{'StringEquals':{'s3:prefix':[]}}}}", 0, "Condition", "at least one value" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Condition':{'StringEquals':{'s3:prefix':null}}}}", 0, "Condition", "string, number or boolean" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Condition':{'StringEquals':{'s3:prefix':[{'a':1}]}}}}", 0, "Condition", "string, number or boolean" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Condition':{'StringEqual':{'s3:prefix':'a'}}}}", 0, "Condition", "unknown condition operator" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Condition':{'stringequals':{'s3:prefix':'a'}}}}", 0, "Condition", "did you mean \"StringEquals\"" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Condition':{'NullIfExists':{'s3:prefix':'true'}}}}", 0, "Condition", "unknown condition operator" };
            yield return new object?[] { "{'Statement':{'Effect':'Allow'," + A + ",'Condition':{'StringLike':{'s3:prefix':'a','s3:prefix':'b'}}}}", 0, "Condition", "more than once" };
        }

        [Theory]
        [MemberData(nameof(GrammarErrors))]
        public void GrammarErrorsNameStatementAndField(string json, int? index, string field, string fragment)
        {
            var ex = Assert.Throws<PolicyFormatException>(() => PolicyJson.Parse(Q(json)));
            Assert.Equal("PolicyGrammarInvalid", ex.ErrorId);
            Assert.Equal(index, ex.StatementIndex);
            Assert.Equal(field, ex.Field);
            Assert.Contains(fragment, ex.Message);
            if (index.HasValue)
            {
                Assert.StartsWith("Statement[" + index.Value + "]", ex.Message);
            }

            Assert.NotNull(ex.Line);
            Assert.NotNull(ex.Column);
        }

        [Fact]
        public void ErrorWithoutSidOmitsSidPart()
        {
            var ex = Assert.Throws<PolicyFormatException>(() => PolicyJson.Parse(Q("{'Statement':{'Effect':'Permit','Action':'s3:GetObject'}}")));
            Assert.StartsWith("Statement[0]: 'Effect'", ex.Message);
            Assert.Null(ex.Sid);
        }

        [Fact]
        public void ToJsonRefusesInvalidModel()
        {
            var doc = new PolicyDocument();
            Assert.Throws<PolicyFormatException>(() => PolicyJson.ToJson(doc));
            var st = new PolicyStatement { Sid = "NoActions" };
            doc.Statements.Add(st);
            var ex = Assert.Throws<PolicyFormatException>(() => PolicyJson.ToJson(doc));
            Assert.Equal("Action", ex.Field);
            Assert.Equal("NoActions", ex.Sid);
            st.Actions.Add("s3:GetObject");
            doc.Version = "2020-01-01";
            Assert.Equal("Version", Assert.Throws<PolicyFormatException>(() => PolicyJson.ToJson(doc)).Field);
            doc.Version = PolicyDocument.CurrentVersion;
            Assert.Equal("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoActions\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"}]}", PolicyJson.ToJson(doc, indented: false));
        }

        [Theory]
        [InlineData("*", true)]
        [InlineData("s3:GetObject", true)]
        [InlineData("s3:*", true)]
        [InlineData("s3:Get?bject", true)]
        [InlineData("S3:GETOBJECT", true)]
        [InlineData("execute-api:Invoke", true)]
        [InlineData("s3:AbortMultipartUploads3:ListMultipartUploadParts", true)]
        [InlineData("s3", false)]
        [InlineData("s3:Get,Put", false)]
        [InlineData("s 3:Get", false)]
        [InlineData(":GetObject", false)]
        [InlineData("s3:Get Object", false)]
        [InlineData("", false)]
        public void ActionShape(string action, bool valid)
        {
            Assert.Equal(valid, PolicyJson.IsValidAction(action));
        }
    }
}
