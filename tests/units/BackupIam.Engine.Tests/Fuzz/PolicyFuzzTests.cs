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
        private const int Seed = PolicyMutator.Seed;
        private const int Inputs = PolicyMutator.Inputs;
        private const string Bucket = PolicyMutator.Bucket;

        private readonly ITestOutputHelper _output;

        public PolicyFuzzTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void MutatedPoliciesRaiseOnlyTheModulesOwnExceptions()
        {
            var random = new Random(Seed);
            List<(string Json, bool Bucket)> seeds = PolicyMutator.Seeds();
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
                string input = PolicyMutator.Mutate(json, random);
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
