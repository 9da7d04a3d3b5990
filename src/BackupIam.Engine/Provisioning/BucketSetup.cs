using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Engine.Json;
using BackupIam.Engine.Posture;
using BackupIam.Engine.Presets;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>
    /// What on a bucket the module added, and how it is told apart from what others added (issue 15):
    /// <list type="bullet">
    /// <item>bucket-policy statements by Sid: the Sids the presets (every preset, every option, as a bucket policy) and
    /// <see cref="BucketProtection"/> write; the module merges bucket policies by Sid, so a statement with one of these
    /// Sids is the module's, and any other statement (with another Sid or none) is someone else's;</item>
    /// <item>lifecycle rules by id: <see cref="DefaultLifecycleRuleId"/> (Set-BackupLifecycle's default) and the ids
    /// recorded in the tag <see cref="LifecycleRulesKey"/> when Set-BackupLifecycle wrote another id;</item>
    /// <item>versioning, when the tag <see cref="BucketTags.VersioningKey"/> records that the module turned it on;</item>
    /// <item>tags whose key starts with <see cref="BucketTags.ModulePrefix"/>.</item>
    /// </list>
    /// </summary>
    public static class BucketSetup
    {
        /// <summary>Set-BackupLifecycle's default rule id.</summary>
        public const string DefaultLifecycleRuleId = "backup-retention";

        /// <summary>The tag that records the other lifecycle rule ids the module wrote, separated by spaces.</summary>
        public const string LifecycleRulesKey = "backupiam:lifecycle-rules";

        private static readonly Lazy<IReadOnlyCollection<string>> Sids = new Lazy<IReadOnlyCollection<string>>(CollectSids);

        /// <summary>Every Sid the module writes into bucket policies.</summary>
        public static IReadOnlyCollection<string> StatementSids => Sids.Value;

        /// <summary>True when a statement with this Sid is the module's.</summary>
        public static bool IsModuleSid(string? sid) => !string.IsNullOrEmpty(sid) && Sids.Value.Contains(sid!);

        /// <summary>The lifecycle rule ids the module wrote on a bucket with these tags.</summary>
        public static IReadOnlyCollection<string> ModuleRuleIds(IReadOnlyDictionary<string, string>? tags)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal) { DefaultLifecycleRuleId };
            if (tags != null && tags.TryGetValue(LifecycleRulesKey, out string? recorded))
            {
                foreach (string id in recorded.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    ids.Add(id);
                }
            }

            return ids;
        }

        /// <summary>
        /// The tag value recording <paramref name="ruleId"/> as one of the module's lifecycle rules, or null when nothing
        /// needs recording (the default id, or already recorded). Throws <see cref="ArgumentException"/> when the id cannot be
        /// recorded in a tag (spaces, characters S3 tags refuse, or a value over 256 characters).
        /// </summary>
        public static string? RecordRuleId(IReadOnlyDictionary<string, string>? tags, string ruleId)
        {
            if (ModuleRuleIds(tags).Contains(ruleId))
            {
                return null;
            }

            if (!IsTagSafe(ruleId))
            {
                throw new ArgumentException("A rule id with spaces or characters other than letters, digits and + - = . _ : / @ cannot be recorded in a bucket tag.", nameof(ruleId));
            }

            string existing = tags != null && tags.TryGetValue(LifecycleRulesKey, out string? v) ? v.Trim() : "";
            string value = existing.Length == 0 ? ruleId : existing + " " + ruleId;
            if (value.Length > 256)
            {
                throw new ArgumentException("The bucket tag that records the module's lifecycle rule ids would be over 256 characters.", nameof(ruleId));
            }

            return value;
        }

        /// <summary>True when the id can go into the record tag (S3 tag value characters, no space: the separator).</summary>
        public static bool IsTagSafe(string id) =>
            id.Length > 0 && id.All(c => char.IsLetterOrDigit(c) || "+-=._:/@".IndexOf(c) >= 0);

        /// <summary>The statements of a bucket policy's JSON tree ("Statement" may be one object or an array).</summary>
        public static IReadOnlyList<JsonObject> Statements(JsonNode policy)
        {
            if (!(policy is JsonObject root))
            {
                return new JsonObject[0];
            }

            JsonNode? node = root["Statement"];
            if (node is JsonObject single)
            {
                return new[] { single };
            }

            return node is JsonArray array ? array.Items.OfType<JsonObject>().ToList() : (IReadOnlyList<JsonObject>)new JsonObject[0];
        }

        /// <summary>A statement's Sid, or null.</summary>
        public static string? SidOf(JsonObject statement) => (statement["Sid"] as JsonString)?.Value;

        /// <summary>The values of one element that may be a string or an array of strings (Action, Resource...).</summary>
        public static IReadOnlyList<string> Strings(JsonNode? node)
        {
            if (node is JsonString s)
            {
                return new[] { s.Value };
            }

            return node is JsonArray a ? a.Items.OfType<JsonString>().Select(x => x.Value).ToList() : (IReadOnlyList<string>)new string[0];
        }

        /// <summary>The principals a statement names, as <c>TYPE:value</c> (<c>AWS:arn:...</c>) or <c>*</c>.</summary>
        public static IReadOnlyList<string> PrincipalsOf(JsonObject statement, string element = "Principal")
        {
            JsonNode? p = statement[element];
            if (p is JsonString star)
            {
                return new[] { star.Value };
            }

            var result = new List<string>();
            if (p is JsonObject obj)
            {
                foreach (JsonProperty type in obj.Properties)
                {
                    result.AddRange(Strings(type.Value).Select(v => type.Name + ":" + v));
                }
            }

            return result;
        }

        /// <summary>
        /// A bucket policy with the statements <paramref name="keep"/> refuses removed: every other element of the
        /// document, and every kept statement, is the node as read. Null when no statement is left (delete the policy).
        /// </summary>
        public static JsonObject? WithStatements(JsonObject policy, Func<JsonObject, JsonObject?> keep)
        {
            var statements = new JsonArray();
            foreach (JsonObject st in Statements(policy))
            {
                JsonObject? kept = keep(st);
                if (kept != null)
                {
                    statements.Add(kept);
                }
            }

            if (statements.Count == 0)
            {
                return null;
            }

            var result = new JsonObject();
            bool placed = false;
            foreach (JsonProperty property in policy.Properties)
            {
                if (property.Name == "Statement")
                {
                    if (!placed)
                    {
                        result.Add("Statement", statements);
                        placed = true;
                    }
                }
                else
                {
                    result.Add(property);
                }
            }

            return result;
        }

        /// <summary>
        /// The statement without the AWS principals in <paramref name="principals"/> (compared without case for ARNs'
        /// sake, exact for unique ids); null when nothing else is left in its Principal (the statement goes);
        /// the statement itself when it names none of them.
        /// </summary>
        public static JsonObject? WithoutPrincipals(JsonObject statement, IReadOnlyCollection<string> principals, out bool changed)
        {
            changed = false;
            if (!(statement["Principal"] is JsonObject principal) || !(principal["AWS"] is JsonNode aws))
            {
                return statement;
            }

            IReadOnlyList<string> values = Strings(aws);
            var left = values.Where(v => !Names(principals, v)).ToList();
            if (left.Count == values.Count)
            {
                return statement;
            }

            changed = true;
            var newPrincipal = new JsonObject();
            foreach (JsonProperty type in principal.Properties)
            {
                if (type.Name != "AWS")
                {
                    newPrincipal.Add(type);
                }
                else if (left.Count == 1 && aws is JsonString)
                {
                    newPrincipal.Add("AWS", left[0]);
                }
                else if (left.Count > 0)
                {
                    var array = new JsonArray();
                    foreach (string v in left)
                    {
                        array.Add(v);
                    }

                    newPrincipal.Add("AWS", array);
                }
            }

            if (newPrincipal.Count == 0)
            {
                return null;
            }

            var result = new JsonObject();
            foreach (JsonProperty property in statement.Properties)
            {
                result.Add(property.Name == "Principal" ? new JsonProperty("Principal", newPrincipal) : property);
            }

            return result;
        }

        /// <summary>True when the AWS principal value is one of <paramref name="principals"/>.</summary>
        public static bool Names(IReadOnlyCollection<string> principals, string value) =>
            principals.Any(p => string.Equals(p, value, p.StartsWith("arn:", StringComparison.Ordinal) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

        private static IReadOnlyCollection<string> CollectSids()
        {
            var sids = new HashSet<string>(StringComparer.Ordinal)
            {
                BucketProtection.DenyInsecureTransportSid,
                BucketProtection.DenyMissingSecureTransportSid,
                BucketProtection.DenyDeleteSid,
                PresetCatalog.DenyOverwriteSid,
            };
            string[] switches =
            {
                nameof(PresetOptions.NoListBucket), nameof(PresetOptions.AllowObjectAcl), nameof(PresetOptions.AllowMultipart),
                nameof(PresetOptions.RequireBucketOwnerFullControl),
            };
            foreach (PresetDefinition preset in PresetCatalog.All)
            {
                if (!preset.SupportedKinds.Contains(PresetPolicyKind.Bucket))
                {
                    continue;
                }

                var supported = switches.Where(o => preset.SupportedOptions.Contains(o)).ToList();
                // Each switch alone, all together, and none; with and without -DenyOverwrite.
                var combinations = new List<List<string>> { new List<string>(), supported };
                combinations.AddRange(supported.Select(o => new List<string> { o }));
                foreach (List<string> on in combinations)
                {
                    foreach (bool denyOverwrite in new[] { false, true })
                    {
                        var options = new PresetOptions
                        {
                            BucketName = "sid-catalogue",
                            Prefix = preset.PrefixRequired && string.IsNullOrEmpty(preset.DefaultPrefix) ? "backup/" : null,
                            PrincipalArn = "arn:aws:iam::123456789012:user/sid-catalogue",
                            Kind = PresetPolicyKind.Bucket,
                            NoListBucket = on.Contains(nameof(PresetOptions.NoListBucket)),
                            AllowObjectAcl = on.Contains(nameof(PresetOptions.AllowObjectAcl)),
                            AllowMultipart = on.Contains(nameof(PresetOptions.AllowMultipart)),
                            RequireBucketOwnerFullControl = on.Contains(nameof(PresetOptions.RequireBucketOwnerFullControl)),
                            DenyOverwrite = denyOverwrite,
                        };
                        try
                        {
                            foreach (var st in PresetCatalog.Build(preset.Name, options).Statements)
                            {
                                if (!string.IsNullOrEmpty(st.Sid))
                                {
                                    sids.Add(st.Sid!);
                                }
                            }
                        }
                        catch (Errors.BackupIamException)
                        {
                            // A combination the preset refuses writes nothing, so it adds no Sid.
                        }
                    }
                }
            }

            return sids;
        }
    }
}
