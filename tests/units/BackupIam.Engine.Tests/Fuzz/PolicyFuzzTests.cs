using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Lint;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace BackupIam.Engine.Tests.Fuzz
{
    /// <summary>
    /// Issue 15: thousands of mutated policies through the parser, the linter and the simulator, from a fixed seed (so
    /// a failure reproduces). Every input either works or fails with the module's own exception (BackupIamException
    /// and its subclasses); anything else (NullReference, IndexOutOfRange, InvalidCast, StackOverflow-prone recursion
    /// turned into another exception...) fails the test, naming the input. The slowest input's time is printed, never
    /// asserted (speed is measured by bench/, not by tests).
    /// </summary>
    public class PolicyFuzzTests
    {
        private const int Seed = 15015;
        private const int Inputs = 5000;
        private const string Bucket = "my-backup-bucket";
        private const string UserArn = "arn:aws:iam::123456789012:user/backup";

        private static readonly string[] Tokens =
        {
            "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "false", "0", "-1", "1e309", "\"*\"", "\"\"",
            "\"s3:*\"", "\"s3:Put*\"", "\"iam:*\"", "\"arn:aws:s3:::*\"", "\"arn:aws:s3:::my-backup-bucket/${aws:username}/*\"",
            "\"Deny\"", "\"Allow\"", "\"NotAction\"", "\"NotResource\"", "\"NotPrincipal\"", "\"Condition\"", "\"StringLike\"",
            "\"ForAnyValue:StringEquals\"", "\"IpAddress\"", "\"aws:SourceIp\"", "\"10.0.0.0/33\"", "\"s3:prefix\"", "{\"AWS\":\"*\"}",
            "\"Principal\"", "\"Sid\"", "\"my sid!\"", "\"Version\"", "\"2008-10-17\"", "\"Statement\"", "\u00e9", "\t", "\n", " ",
        };

        private readonly ITestOutputHelper _output;

        public PolicyFuzzTests(ITestOutputHelper output)
        {
            _output = output;
        }

        private static List<(string Json, bool Bucket)> Seeds()
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

        private static string Mutate(string text, Random random)
        {
            var s = new StringBuilder(text);
            // Most inputs get one edit that keeps the JSON readable (a hostile string value), so that many reach the
            // linter and the simulator; the rest get up to four edits of any kind.
            bool gentle = random.Next(2) == 0;
            int edits = gentle ? 1 : 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = s.Length == 0 ? 0 : random.Next(s.Length);
                switch (gentle ? 5 : random.Next(7))
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
                        // Replace a quoted string with a hostile one.
                        int q = s.ToString().IndexOf('"', at);
                        int end = q < 0 ? -1 : s.ToString().IndexOf('"', q + 1);
                        if (q >= 0 && end > q)
                        {
                            string[] hostile = { "*", "", "${aws:username}", "${", "arn:aws-fake:iam::1:user/x", new string('a', 3000), "s3:", "::", "\\ud800" };
                            s.Remove(q + 1, end - q - 1).Insert(q + 1, hostile[random.Next(hostile.Length)]);
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

        [Fact]
        public void MutatedPoliciesRaiseOnlyTheModulesOwnExceptions()
        {
            var random = new Random(Seed);
            List<(string Json, bool Bucket)> seeds = Seeds();
            Assert.NotEmpty(seeds);
            var foreign = new List<string>();
            int parsed = 0, linted = 0, simulated = 0, refused = 0;
            TimeSpan slowest = TimeSpan.Zero;
            string slowestInput = string.Empty;
            var clock = new Stopwatch();
            // Warm up (JIT) on an unmutated seed, so that the slowest time is an input's, not the first call's.
            PolicySimulator.Run(new[] { PolicySource.FromText(seeds[0].Json, "WarmUp") }, null, new SimulationScope { BucketName = Bucket, UserName = "backup" });
            for (int i = 0; i < Inputs; i++)
            {
                (string json, bool bucket) = seeds[random.Next(seeds.Count)];
                string input = Mutate(json, random);
                clock.Restart();
                string stage = "parse";
                try
                {
                    ParsedPolicy policy = PolicySource.FromText(input, "Fuzz" + i);
                    parsed++;
                    stage = "lint";
                    PolicyLinter.Lint(input, new LintOptions { Container = policy.IsBucketPolicy ? PolicyContainer.BucketPolicy : PolicyContainer.UserInline });
                    linted++;
                    stage = "simulate";
                    var scope = new SimulationScope { BucketName = Bucket, UserName = "backup" };
                    PolicySimulator.Run(new[] { policy }, null, scope);
                    simulated++;
                }
                catch (BackupIamException)
                {
                    refused++;
                }
                catch (Exception ex)
                {
                    foreign.Add($"input #{i} ({stage}): {ex.GetType().Name}: {ex.Message} -- {Shorten(input)}");
                }

                clock.Stop();
                if (clock.Elapsed > slowest)
                {
                    slowest = clock.Elapsed;
                    slowestInput = Shorten(input);
                }
            }

            _output.WriteLine($"{Inputs} mutated policies from {seeds.Count} seeds (seed {Seed}): {parsed} parsed, {linted} linted, {simulated} simulated, {refused} refused with the module's own errors, {foreign.Count} foreign exceptions.");
            _output.WriteLine($"Slowest input: {slowest.TotalMilliseconds:0.0} ms: {slowestInput}");
            Assert.True(parsed > Inputs / 20, $"only {parsed} of {Inputs} mutated inputs parsed: the mutations are too destructive to reach the linter and simulator");
            Assert.True(simulated > 0, "no mutated input reached the simulator");
            Assert.True(foreign.Count == 0, string.Join(Environment.NewLine, foreign.Take(20)));
        }

        private static string Shorten(string input) => input.Length <= 200 ? input : input.Substring(0, 200) + "... (" + input.Length + " chars)";
    }
}
