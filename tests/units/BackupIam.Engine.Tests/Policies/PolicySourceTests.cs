using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Policies
{
    public class PolicySourceTests
    {
        private const string Upload = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::my-backups/backup/*\"}]}";

        [Fact]
        public void TextAndUrlEncodedTextGiveTheSameDocument()
        {
            ParsedPolicy plain = PolicySource.FromText(Upload, "P1");
            ParsedPolicy encoded = PolicySource.FromText(Uri.EscapeDataString(Upload), "P2");
            Assert.Equal(PolicyJson.ToJson(plain.Document), PolicyJson.ToJson(encoded.Document));
            Assert.Equal(Upload, encoded.Text);
            Assert.False(plain.IsBucketPolicy);
            Assert.Equal("P1", plain.Name);
        }

        [Fact]
        public void EmptyTextNamesTheParameter()
        {
            var ex = Assert.Throws<InputValidationException>(() => PolicySource.FromText("  ", "P", "Expect"));
            Assert.Equal("PolicyInputInvalid", ex.ErrorId);
            Assert.Equal("Expect", ex.ParameterName);
        }

        [Fact]
        public void PlainDataIsWrittenWithTheEngineWriterAndParsed()
        {
            var statement = new OrderedDictionary
            {
                ["Effect"] = "Allow",
                ["Principal"] = new Hashtable { ["AWS"] = "arn:aws:iam::123456789012:user/backup" },
                ["Action"] = new object[] { "s3:PutObject", "s3:ListBucket" },
                ["Resource"] = new List<object> { "arn:aws:s3:::my-backups", "arn:aws:s3:::my-backups/*" },
                ["Condition"] = new OrderedDictionary { ["NumericLessThan"] = new Hashtable { ["s3:max-keys"] = 10 }, ["Bool"] = new Hashtable { ["aws:SecureTransport"] = true } },
            };
            var data = new OrderedDictionary { ["Version"] = "2012-10-17", ["Statement"] = new object[] { statement } };
            Assert.True(PolicySource.IsPolicyData(data));
            ParsedPolicy policy = PolicySource.FromData(data, "Policy1", "Policy");
            Assert.True(policy.IsBucketPolicy);
            PolicyStatement st = Assert.Single(policy.Document.Statements);
            Assert.Equal(new[] { "s3:PutObject", "s3:ListBucket" }, st.Actions);
            Assert.Equal(new[] { "10" }, st.Conditions.Single(c => c.Key == "s3:max-keys").Values);
            Assert.Equal(new[] { "true" }, st.Conditions.Single(c => c.Key == "aws:SecureTransport").Values);
            Assert.DoesNotContain(" ", policy.Text);
        }

        [Fact]
        public void UnwrapIsCalledOnEveryValue()
        {
            // A caller's wrapper (as PowerShell's PSObject is) around the statement list and a string.
            var data = new Hashtable { ["Statement"] = new Wrapper(new object[] { new Hashtable { ["Effect"] = "Allow", ["Action"] = new Wrapper("s3:GetObject"), ["Resource"] = "*" } }) };
            ParsedPolicy policy = PolicySource.FromData(data, "P", "Policy", v => v is Wrapper w ? w.Value : v);
            Assert.Equal(new[] { "s3:GetObject" }, Assert.Single(policy.Document.Statements).Actions);
        }

        [Fact]
        public void DeeplyNestedDataIsRefused()
        {
            object nested = "x";
            for (int i = 0; i < 70; i++)
            {
                nested = new object[] { nested };
            }

            var ex = Assert.Throws<InputValidationException>(() => PolicySource.FromData(new Hashtable { ["Statement"] = nested }, "P", "Policy"));
            Assert.Equal("PolicyInputInvalid", ex.ErrorId);
        }

        [Fact]
        public void LineCollectorJoinsLinesIntoDocuments()
        {
            var lines = new PolicyLineCollector();
            Assert.Null(lines.Add("{"));
            Assert.Null(lines.Add("  \"Version\": \"2012-10-17\", \"Statement\": [ { \"Sid\": \"}{\","));
            Assert.True(lines.HasPending);
            string? whole = lines.Add("\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\" } ] }");
            Assert.NotNull(whole);
            Assert.Equal("}{", Assert.Single(PolicySource.FromText(whole!, "P").Document.Statements).Sid);
            Assert.False(lines.HasPending);
            Assert.Equal("%7B%7D", lines.Add("%7B%7D"));
        }

        [Fact]
        public void LineCollectorGivesOnePieceBackAsGivenSoErrorPositionsAreTheCallers()
        {
            // Issue 15: a truncated one-line -PolicyDocument is reported at "line 1", from the collector itself.
            const string Truncated = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"";
            var lines = new PolicyLineCollector();
            Assert.Null(lines.Add(Truncated));
            string pending = lines.Flush()!;
            Assert.Equal(Truncated, pending);
            var ex = Assert.ThrowsAny<BackupIamException>(() => PolicySource.FromText(pending, "P"));
            Assert.Contains("line 1,", ex.Message);

            Assert.Equal(Upload, lines.Add(Upload));
            Assert.Null(lines.Add("{"));
            Assert.Equal("{\n}", lines.Add("}"));
        }

        [Fact]
        public void SimulatorDecidesMatrixAndDriftFromOneEntryPoint()
        {
            ParsedPolicy upload = PolicySource.FromText(Upload, "Upload");
            SimulationResult matrix = PolicySimulator.Run(new[] { upload }, null, new SimulationScope());
            Assert.Equal(new[] { "s3:PutObject" }, matrix.Matrix!.Allowed.Select(e => e.Action).Distinct());
            Assert.Contains(matrix.Warnings, w => w.Contains("'backup/'"));

            SimulationResult decided = PolicySimulator.Run(new[] { upload }, null, new SimulationScope { Actions = new[] { "s3:PutObject", "s3:GetObject" }, Prefix = "backup/" });
            Assert.Equal(new[] { Decision.Allowed, Decision.ImplicitDeny }, decided.Decisions!.Select(d => d.Decision));
            Assert.Empty(decided.Warnings);

            SimulationResult drift = PolicySimulator.Run(new[] { upload }, null, new SimulationScope { Prefix = "backup/", Expect = SimulationExpectation.Parse(new object[] { "UploadOnly" }) });
            Assert.Empty(drift.Differences!);
            SimulationResult wider = PolicySimulator.Run(new[] { upload }, null, new SimulationScope { Prefix = "backup/", Expect = SimulationExpectation.Parse(new object[] { "s3:PutObject", "s3:GetObject" }) });
            Assert.NotEmpty(wider.Differences!);
        }

        [Fact]
        public void SimulatorRefusesTwoBucketPoliciesAndNoPolicy()
        {
            ParsedPolicy bucket = PolicySource.FromText("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam:::user/backup\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}", "B");
            Assert.Equal("MultipleBucketPolicies", Assert.Throws<InputValidationException>(() => PolicySimulator.Run(new[] { bucket, bucket }, null, new SimulationScope())).ErrorId);
            Assert.Equal("PolicyRequired", Assert.Throws<InputValidationException>(() => PolicySimulator.Run(new ParsedPolicy[0], null, new SimulationScope())).ErrorId);
            SimulationResult result = PolicySimulator.Run(new[] { bucket }, null, new SimulationScope { Actions = new[] { "s3:PutObject" } });
            Assert.Equal("arn:aws:iam:::user/backup", result.Principal!.Arn);
            Assert.Equal(Decision.Allowed, Assert.Single(result.Decisions!).Decision);
        }

        private sealed class Wrapper
        {
            public Wrapper(object value) => Value = value;

            public object Value { get; }
        }
    }
}
