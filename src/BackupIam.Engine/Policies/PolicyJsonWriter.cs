using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using BackupIam.Engine.Json;
using static BackupIam.Engine.Policies.PolicyGrammar;

namespace BackupIam.Engine.Policies
{
    /// <summary>Renders a <see cref="PolicyDocument"/> as the canonical JSON tree (see <see cref="PolicyJson.ToJson"/>).</summary>
    internal static class PolicyJsonWriter
    {
        /// <summary>The canonical JSON tree; the document is checked against the grammar first.</summary>
        /// <exception cref="PolicyFormatException">The document breaks the IAM grammar (ErrorId <c>PolicyGrammarInvalid</c>).</exception>
        public static JsonObject ToJsonNode(PolicyDocument doc)
        {
            if (doc == null)
            {
                throw new ArgumentNullException(nameof(doc));
            }

            PolicyGrammar.Validate(doc);

            var root = new JsonObject();
            root.Add("Version", doc.Version == PolicyJson.LegacyVersion ? PolicyJson.LegacyVersion : PolicyDocument.CurrentVersion);
            if (doc.Id != null)
            {
                root.Add("Id", doc.Id);
            }

            var statements = new JsonArray();
            foreach (PolicyStatement st in doc.Statements)
            {
                statements.Add(WriteStatement(st));
            }

            root.Add("Statement", statements);
            return root;
        }

        private static JsonObject WriteStatement(PolicyStatement st)
        {
            var obj = new JsonObject();
            if (st.Sid != null)
            {
                obj.Add("Sid", st.Sid);
            }

            obj.Add("Effect", st.Effect == PolicyEffect.Deny ? "Deny" : "Allow");
            if (st.Principal != null)
            {
                obj.Add("Principal", WritePrincipal(st.Principal));
            }

            if (st.NotPrincipal != null)
            {
                obj.Add("NotPrincipal", WritePrincipal(st.NotPrincipal));
            }

            obj.Add(st.IsNotAction ? "NotAction" : "Action", StringOrArray(st.Actions));
            if (st.Resources.Count > 0)
            {
                obj.Add(st.IsNotResource ? "NotResource" : "Resource", StringOrArray(st.Resources));
            }

            if (st.Conditions.Count > 0)
            {
                var cond = new JsonObject();
                var byOperator = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
                foreach (ConditionClause c in st.Conditions)
                {
                    if (!byOperator.TryGetValue(c.Operator, out JsonObject? keys))
                    {
                        keys = new JsonObject();
                        byOperator.Add(c.Operator, keys);
                        cond.Add(c.Operator, keys);
                    }

                    keys.Add(c.Key, StringOrArray(c.Values));
                }

                obj.Add("Condition", cond);
            }

            return obj;
        }

        private static JsonNode WritePrincipal(PrincipalBlock block)
        {
            if (block.IsWildcard)
            {
                return new JsonString("*");
            }

            var obj = new JsonObject();
            foreach (KeyValuePair<string, List<string>> kv in block.Values)
            {
                obj.Add(kv.Key, StringOrArray(kv.Value));
            }

            return obj;
        }

        private static JsonNode StringOrArray(List<string> values)
        {
            if (values.Count == 1)
            {
                return new JsonString(values[0]);
            }

            var arr = new JsonArray();
            foreach (string v in values)
            {
                arr.Add(v);
            }

            return arr;
        }
    }
}
