using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using BackupIam.Engine.Json;

namespace BackupIam.Engine.Policies
{
    /// <summary>
    /// Reads any AWS policy JSON into a <see cref="PolicyDocument"/> (checking the IAM grammar) and writes a
    /// document back in one stable, canonical form that can be pasted into the AWS console, CloudFormation or Terraform.
    /// The work is split by concern: <see cref="PolicyJsonReader"/> reads a JSON tree into the model,
    /// <see cref="PolicyGrammar"/> holds the grammar rules both directions check, <see cref="PolicyJsonWriter"/> renders.
    /// </summary>
    public static class PolicyJson
    {
        /// <summary>The policy language version written before 2012 (policy variables are not expanded under it).</summary>
        public const string LegacyVersion = "2008-10-17";

        /// <summary>
        /// Parses policy JSON: <c>Statement</c> as one object or an array; Action/NotAction and Resource/NotResource as a
        /// string or an array; Principal as <c>"*"</c> or a map of type to value(s); Condition as
        /// <c>{operator: {key: value or [values]}}</c> with string, number or boolean values (numbers and booleans are
        /// kept as their JSON text). A missing Version reads as 2012-10-17 but sets
        /// <see cref="PolicyDocument.VersionMissing"/>, so the document is evaluated with the 2008-10-17 rules as AWS does.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
        /// <exception cref="PolicyFormatException">
        /// ErrorId <c>PolicyJsonMalformed</c> when the text is not JSON (with line and column), or
        /// <c>PolicyGrammarInvalid</c> when it breaks the IAM grammar (naming the statement and the field).
        /// </exception>
        public static PolicyDocument Parse(string json)
        {
            if (json == null)
            {
                throw new ArgumentNullException(nameof(json));
            }

            JsonNode root;
            try
            {
                root = JsonReader.Parse(json);
            }
            catch (JsonFormatException ex)
            {
                throw new PolicyFormatException(
                    PolicyFormatException.MalformedJsonErrorId,
                    "The policy is not valid JSON. " + ex.Message,
                    line: ex.Line,
                    column: ex.Column,
                    inner: ex);
            }

            return FromJsonNode(root);
        }

        /// <summary>Builds a document from an already parsed JSON value, with the same checks as <see cref="Parse"/>.</summary>
        /// <exception cref="PolicyFormatException">ErrorId <c>PolicyGrammarInvalid</c>.</exception>
        public static PolicyDocument FromJsonNode(JsonNode root)
        {
            if (root == null)
            {
                throw new ArgumentNullException(nameof(root));
            }

            return new PolicyJsonReader().ReadDocument(root);
        }

        /// <summary>
        /// Renders the canonical JSON: <c>"Version"</c> first (2012-10-17 unless the document says 2008-10-17),
        /// then <c>"Id"</c> when set, then <c>"Statement"</c> always as an array. Statement keys come in the order
        /// Sid, Effect, Principal, NotPrincipal, Action|NotAction, Resource|NotResource, Condition. A one-value list is
        /// written as a string, a longer one as an array in the given order. Condition operators and keys keep their
        /// order; condition values are always written as strings. Indented output uses 4 spaces and "\n".
        /// </summary>
        /// <exception cref="PolicyFormatException">The document breaks the IAM grammar (ErrorId <c>PolicyGrammarInvalid</c>), so the output could not be read back.</exception>
        public static string ToJson(PolicyDocument doc, bool indented = true)
        {
            return JsonWriter.Write(ToJsonNode(doc), indented);
        }

        /// <summary>The canonical JSON tree that <see cref="ToJson"/> writes.</summary>
        /// <exception cref="PolicyFormatException">The document breaks the IAM grammar (ErrorId <c>PolicyGrammarInvalid</c>).</exception>
        public static JsonObject ToJsonNode(PolicyDocument doc)
        {
            return PolicyJsonWriter.ToJsonNode(doc);
        }

        /// <summary>
        /// The size IAM counts against its policy size quotas: the number of characters of the compact rendering,
        /// not counting whitespace.
        /// </summary>
        public static int CountNonWhitespaceCharacters(PolicyDocument doc) =>
            Naming.PolicySizeLimits.Measure(doc, Lint.PolicyContainer.UserInline);

        /// <summary>Checks a document built in code against the same grammar rules that <see cref="Parse"/> applies.</summary>
        /// <exception cref="PolicyFormatException">ErrorId <c>PolicyGrammarInvalid</c>, naming the statement and the field.</exception>
        public static void Validate(PolicyDocument doc) => PolicyGrammar.Validate(doc);

        /// <summary>True for "*" and for "service:Action" (see <see cref="PolicyGrammar.IsValidAction"/>).</summary>
        internal static bool IsValidAction(string? action) => PolicyGrammar.IsValidAction(action);
    }
}
