using System;
using System.Collections.Generic;
using System.Text;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;

namespace BackupIam.Engine.Tests.Fuzz
{
    /// <summary>
    /// The mutated policies of the fuzz test (issue 15), shared with bench/BackupIam.Bench (linked there), so that the
    /// bench times exactly the inputs the test checks: same seeds, same mutations, same order for a given seed.
    /// </summary>
    public static class PolicyMutator
    {
        public const int Seed = 15015;
        public const int Inputs = 5000;
        public const string Bucket = "my-backup-bucket";
        public const string UserArn = "arn:aws:iam::123456789012:user/backup";

        private static readonly string[] Tokens =
        {
            "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "false", "0", "-1", "1e309", "\"*\"", "\"\"",
            "\"s3:*\"", "\"s3:Put*\"", "\"iam:*\"", "\"arn:aws:s3:::*\"", "\"arn:aws:s3:::my-backup-bucket/${aws:username}/*\"",
            "\"Deny\"", "\"Allow\"", "\"NotAction\"", "\"NotResource\"", "\"NotPrincipal\"", "\"Condition\"", "\"StringLike\"",
            "\"ForAnyValue:StringEquals\"", "\"IpAddress\"", "\"aws:SourceIp\"", "\"10.0.0.0/33\"", "\"s3:prefix\"", "{\"AWS\":\"*\"}",
            "\"Principal\"", "\"Sid\"", "\"my sid!\"", "\"Version\"", "\"2008-10-17\"", "\"Statement\"", "\u00e9", "\t", "\n", " ",
        };

        /// <summary>Every preset as an identity policy, and as a bucket policy where it has that form (compact JSON).</summary>
        public static List<(string Json, bool Bucket)> Seeds()
        {
            var seeds = new List<(string, bool)>();
            foreach (PresetDefinition preset in PresetCatalog.All)
            {
                var identity = PresetCatalog.Build(preset.Name, new PresetOptions { BucketName = Bucket, Kind = PresetPolicyKind.Identity });
                seeds.Add((PolicyJson.ToJson(identity, indented: false), false));
                try
                {
                    var bucket = PresetCatalog.Build(preset.Name, new PresetOptions { BucketName = Bucket, Kind = PresetPolicyKind.Bucket, PrincipalArn = UserArn });
                    seeds.Add((PolicyJson.ToJson(bucket, indented: false), true));
                }
                catch (BackupIamException)
                {
                    // A preset with no bucket-policy form.
                }
            }

            return seeds;
        }

        /// <summary>One to four edits of <paramref name="text"/>; half the inputs get one edit that keeps the JSON readable.</summary>
        public static string Mutate(string text, Random random)
        {
            var s = new StringBuilder(text);
            // Half the inputs get one edit that keeps the JSON readable (a hostile string value, or a large array made of
            // one value), so that many reach the linter and the simulator; the rest get up to four edits of any kind.
            bool gentle = random.Next(2) == 0;
            int edits = gentle ? 1 : 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = s.Length == 0 ? 0 : random.Next(s.Length);
                switch (gentle ? (random.Next(5) == 0 ? 7 : 5) : random.Next(7))
                {
                    case 0:
                        // Delete a run of characters.
                        if (s.Length > 0)
                        {
                            s.Remove(at, Math.Min(1 + random.Next(8), s.Length - at));
                        }

                        break;
                    case 1:
                    case 2:
                        // Insert a token that means something to the grammar.
                        s.Insert(at, Tokens[random.Next(Tokens.Length)]);
                        break;
                    case 3:
                        // Duplicate a slice (repeated keys, nested copies).
                        int len = Math.Min(1 + random.Next(60), s.Length - at);
                        s.Insert(random.Next(s.Length + 1), s.ToString(at, len));
                        break;
                    case 4:
                        // Flip a character.
                        if (s.Length > 0)
                        {
                            s[at] = (char)random.Next(32, 127);
                        }

                        break;
                    case 5:
                        // Replace a whole string value or key with a hostile one (found by scanning the literals, so the
                        // JSON stays readable and the input reaches the linter and the simulator).
                        List<(int Start, int End)> literals = StringLiterals(s.ToString());
                        if (literals.Count > 0)
                        {
                            (int q, int end) = literals[random.Next(literals.Count)];
                            string[] hostile = { "*", "", "${aws:username}", "${", "arn:aws-fake:iam::1:user/x", new string('a', 3000), "s3:", "::", "\\ud800",
                                "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "arn:aws:s3:::" + new string('*', 200) + "x", "s3:" + new string('?', 100) };
                            s.Remove(q + 1, end - q - 1).Insert(q + 1, hostile[random.Next(hostile.Length)]);
                        }

                        break;
                    case 7:
                        // A large array: a string literal becomes up to 400 variants of itself ("a","a1","a2",...), valid
                        // JSON where it was an array element or a lone Action/Resource/condition value.
                        List<(int Start, int End)> strings = StringLiterals(s.ToString());
                        if (strings.Count > 0)
                        {
                            (int q, int end) = strings[random.Next(strings.Count)];
                            string value = s.ToString(q + 1, end - q - 1);
                            int copies = 2 + random.Next(399);
                            var many = new StringBuilder("[\"").Append(value).Append('"');
                            for (int c = 1; c < copies; c++)
                            {
                                many.Append(",\"").Append(value).Append(c).Append('"');
                            }

                            bool isValue = q > 0 && s.ToString(0, q).TrimEnd().EndsWith(":", StringComparison.Ordinal);
                            s.Remove(q, end - q + 1).Insert(q, isValue ? many.Append(']').ToString() : many.ToString(1, many.Length - 1));
                        }

                        break;
                    default:
                        // Wrap in an array or truncate.
                        if (random.Next(2) == 0)
                        {
                            s.Insert(0, "[").Append(']');
                        }
                        else if (s.Length > 2)
                        {
                            s.Length = random.Next(s.Length);
                        }

                        break;
                }
            }

            return s.ToString();
        }

        /// <summary>The positions of the opening and closing quote of each string literal of <paramref name="json"/>.</summary>
        private static List<(int Start, int End)> StringLiterals(string json)
        {
            var literals = new List<(int, int)>();
            for (int i = 0; i < json.Length; i++)
            {
                if (json[i] != '"')
                {
                    continue;
                }

                int j = i + 1;
                while (j < json.Length && json[j] != '"')
                {
                    j += json[j] == '\\' ? 2 : 1;
                }

                if (j >= json.Length)
                {
                    break;
                }

                literals.Add((i, j));
                i = j;
            }

            return literals;
        }
    }
}
