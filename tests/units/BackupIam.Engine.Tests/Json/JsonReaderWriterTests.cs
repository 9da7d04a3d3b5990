using BackupIam.Engine.Json;
using Xunit;

namespace BackupIam.Engine.Tests.Json
{
    public class JsonReaderWriterTests
    {
        [Fact]
        public void ObjectMembersKeepTheirOrder()
        {
            var obj = Assert.IsType<JsonObject>(JsonReader.Parse("{\"z\":1,\"a\":2,\"m\":3}"));
            Assert.Equal(new[] { "z", "a", "m" }, obj.Properties.Select(p => p.Name).ToArray());
        }

        [Theory]
        [InlineData("0")]
        [InlineData("-0")]
        [InlineData("42")]
        [InlineData("-1.50")]
        [InlineData("1e10")]
        [InlineData("2.5E-3")]
        [InlineData("12345678901234567890123456789")]
        public void NumbersKeepTheirRawText(string text)
        {
            var n = Assert.IsType<JsonNumber>(JsonReader.Parse(text));
            Assert.Equal(text, n.RawText);
            Assert.Equal(text, JsonWriter.Write(n));
        }

        [Fact]
        public void ReadsAllValueKinds()
        {
            var obj = Assert.IsType<JsonObject>(JsonReader.Parse(" {\"s\": \"x\", \"t\": true, \"f\": false, \"n\": null, \"a\": [1, \"2\"], \"o\": {}} "));
            Assert.Equal("x", Assert.IsType<JsonString>(obj["s"]).Value);
            Assert.True(Assert.IsType<JsonBoolean>(obj["t"]).Value);
            Assert.False(Assert.IsType<JsonBoolean>(obj["f"]).Value);
            Assert.IsType<JsonNull>(obj["n"]);
            var arr = Assert.IsType<JsonArray>(obj["a"]);
            Assert.Equal(2, arr.Count);
            Assert.Equal(0, Assert.IsType<JsonObject>(obj["o"]).Count);
            Assert.Null(obj["missing"]);
        }

        [Fact]
        public void DecodesEscapes()
        {
            var s = Assert.IsType<JsonString>(JsonReader.Parse("\"a\\\"b\\\\c\\/d\\n\\t\\u0041\\u00e9\\ud83d\\ude00\""));
            Assert.Equal("a\"b\\c/d\n\tA\u00e9\U0001F600", s.Value);
        }

        [Fact]
        public void WriterEscapesAndRoundTrips()
        {
            var node = new JsonString("quote\" back\\ nl\n ctl\u0001 \u00e9");
            string text = JsonWriter.Write(node);
            Assert.Equal("\"quote\\\" back\\\\ nl\\n ctl\\u0001 \u00e9\"", text);
            Assert.Equal(node.Value, Assert.IsType<JsonString>(JsonReader.Parse(text)).Value);
        }

        [Fact]
        public void PrettyWriterUsesFourSpacesAndNewlines()
        {
            var obj = new JsonObject()
                .Add("Version", "2012-10-17")
                .Add("List", new JsonArray().Add("a").Add("b"))
                .Add("Empty", new JsonArray())
                .Add("Obj", new JsonObject().Add("k", new JsonNumber("1")));
            string expected =
                "{\n" +
                "    \"Version\": \"2012-10-17\",\n" +
                "    \"List\": [\n" +
                "        \"a\",\n" +
                "        \"b\"\n" +
                "    ],\n" +
                "    \"Empty\": [],\n" +
                "    \"Obj\": {\n" +
                "        \"k\": 1\n" +
                "    }\n" +
                "}";
            Assert.Equal(expected, JsonWriter.Write(obj));
            Assert.Equal("{\"Version\":\"2012-10-17\",\"List\":[\"a\",\"b\"],\"Empty\":[],\"Obj\":{\"k\":1}}", JsonWriter.Write(obj, indented: false));
        }

        [Fact]
        public void NodesRecordLineAndColumn()
        {
            var obj = Assert.IsType<JsonObject>(JsonReader.Parse("{\n  \"a\": [\r\n    true\n  ]\n}"));
            JsonProperty a = obj.Properties[0];
            Assert.Equal((2, 3), (a.Line, a.Column));
            var arr = Assert.IsType<JsonArray>(a.Value);
            Assert.Equal((2, 8), (arr.Line, arr.Column));
            Assert.Equal((3, 5), (arr[0].Line, arr[0].Column));
        }

        [Theory]
        [InlineData("", 1, 1, "a JSON value")]
        [InlineData("{\"a\": 1,}", 1, 9, "a member name")]
        [InlineData("[1, 2,]", 1, 7, "a JSON value")]
        [InlineData("{\"a\" 1}", 1, 6, "':'")]
        [InlineData("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3, "',' or '}'")]
        [InlineData("[1 2]", 1, 4, "',' or ']'")]
        [InlineData("{\"a\": tru}", 1, 7, "true")]
        [InlineData("{\"a\": 01}", 1, 7, "a number")]
        [InlineData("{\"a\": 1.}", 1, 7, "a number")]
        [InlineData("{\"a\": \"x\\q\"}", 1, 10, "an escape")]
        [InlineData("{\"a\": \"x\ny\"}", 1, 9, "'\"'")]
        [InlineData("{\"a\": \"open", 1, 7, "'\"'")]
        [InlineData("{'a': 1}", 1, 2, "a member name")]
        [InlineData("{} x", 1, 4, "end of text")]
        [InlineData("// c\n{}", 1, 1, "a JSON value")]
        [InlineData("[\"\\u12G4\"]", 1, 7, "hexadecimal")]
        public void ErrorsGivePositionAndExpectation(string text, int line, int column, string expected)
        {
            var ex = Assert.Throws<JsonFormatException>(() => JsonReader.Parse(text));
            Assert.Equal(line, ex.Line);
            Assert.Equal(column, ex.Column);
            Assert.Contains(expected, ex.Expected);
            Assert.Contains("line " + line + ", column " + column, ex.Message);
            Assert.Equal("JsonMalformed", ex.ErrorId);
        }

        [Fact]
        public void RefusesExcessiveNesting()
        {
            string deep = new string('[', JsonReader.MaxDepth + 1) + new string(']', JsonReader.MaxDepth + 1);
            Assert.Throws<JsonFormatException>(() => JsonReader.Parse(deep));
            string ok = new string('[', JsonReader.MaxDepth) + new string(']', JsonReader.MaxDepth);
            Assert.IsType<JsonArray>(JsonReader.Parse(ok));
        }

        [Fact]
        public void IgnoresByteOrderMark()
        {
            Assert.IsType<JsonObject>(JsonReader.Parse("\uFEFF{}"));
        }

        [Fact]
        public void NumberConstructorRejectsNonNumbers()
        {
            Assert.Throws<ArgumentException>(() => new JsonNumber("1.2.3"));
            Assert.Throws<ArgumentException>(() => new JsonNumber("NaN"));
        }

        [Fact]
        public void PrettyOutputRoundTrips()
        {
            string src = "{\"b\":[1,2.50,{\"c\":null}],\"a\":\"x\",\"t\":false}";
            JsonNode node = JsonReader.Parse(src);
            string pretty = JsonWriter.Write(node);
            Assert.Equal(src, JsonWriter.Write(JsonReader.Parse(pretty), indented: false));
        }
    }
}
