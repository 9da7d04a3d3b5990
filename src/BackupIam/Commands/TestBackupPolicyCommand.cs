using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;

namespace BackupIam.Commands
{
    /// <summary>
    /// Simulates policies offline: decides given requests (-Action), or lists the access matrix over every S3 action,
    /// or (with -Expect) reports every difference from a preset, an expected policy or an allowed-action list.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "BackupPolicy", DefaultParameterSetName = InputSet, HelpUri = HelpLinks.HelpSource + "Test-BackupPolicy.md")]
    [OutputType(typeof(BackupAccessDecision), typeof(BackupPolicyDifference), typeof(BackupAccessSummary))]
    public sealed class TestBackupPolicyCommand : PolicyInputCmdlet
    {
        private const string InputDecideSet = "InputDecide";
        private const string PathDecideSet = "PathDecide";
        private const string InputExpectSet = "InputExpect";
        private const string PathExpectSet = "PathExpect";
        private readonly List<ParsedPolicy> _policies = new List<ParsedPolicy>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputDecideSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputExpectSet)]
        [Alias("PolicyDocument", "InputObject")]
        public object[] Policy { get; set; } = new object[0];

        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [Parameter(Mandatory = true, ParameterSetName = PathDecideSet)]
        [Parameter(Mandatory = true, ParameterSetName = PathExpectSet)]
        [Alias("FullName")]
        public string[] Path { get; set; } = new string[0];

        [Parameter]
        public object? BucketPolicy { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        public string? BucketName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Prefix { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Arn", "UserArn")]
        public string? PrincipalArn { get; set; }

        [Parameter]
        public string? UserName { get; set; }

        [Parameter]
        public string? AccountId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = InputDecideSet)]
        [Parameter(Mandatory = true, ParameterSetName = PathDecideSet)]
        [ValidateNotNullOrEmpty]
        public string[] Action { get; set; } = new string[0];

        [Parameter(ParameterSetName = InputDecideSet)]
        [Parameter(ParameterSetName = PathDecideSet)]
        [ValidateNotNullOrEmpty]
        public string[]? Resource { get; set; }

        [Parameter(ParameterSetName = InputSet)]
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = InputDecideSet)]
        [Parameter(ParameterSetName = PathDecideSet)]
        public Hashtable? Context { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = InputExpectSet)]
        [Parameter(Mandatory = true, ParameterSetName = PathExpectSet)]
        [ValidateNotNullOrEmpty]
        public object[] Expect { get; set; } = new object[0];

        [Parameter(ParameterSetName = InputSet)]
        [Parameter(ParameterSetName = PathSet)]
        public SwitchParameter AllowedOnly { get; set; }

        /// <summary>A compact pivot of the access matrix: one row per action group, a column per resource kind.</summary>
        [Parameter(ParameterSetName = InputSet)]
        [Parameter(ParameterSetName = PathSet)]
        public SwitchParameter Summary { get; set; }

        private bool IsDecide => ParameterSetName == InputDecideSet || ParameterSetName == PathDecideSet;

        private bool IsExpect => ParameterSetName == InputExpectSet || ParameterSetName == PathExpectSet;

        protected override void ProcessRecord()
        {
            if (Path.Length > 0)
            {
                // One unreadable file is reported and skipped; the others are still simulated.
                ReadPaths(Path, nameof(Path), Collect);
                return;
            }

            // The simulation needs every policy: one that cannot be read stops the cmdlet.
            ReadItems(Policy, nameof(Policy), Collect, ThrowFailure);
        }

        protected override void EndProcessing()
        {
            try
            {
                FlushLines(nameof(Policy), Collect, ThrowFailure);
                var scope = new SimulationScope
                {
                    BucketName = BucketName,
                    Prefix = Prefix,
                    PrincipalArn = PrincipalArn,
                    UserName = UserName,
                    AccountId = AccountId,
                    Context = ReadContext(),
                    Actions = IsDecide ? Action : null,
                    Resources = IsDecide ? Resource : null,
                    Expect = IsExpect ? ReadExpectation() : null,
                };
                ParsedPolicy? bucketPolicy = BucketPolicy != null ? PolicyInput.FromObject(BucketPolicy, nameof(BucketPolicy), 0).Parsed : null;
                SimulationResult result = PolicySimulator.Run(_policies, bucketPolicy, scope);
                WarnIfNormalized(Prefix, nameof(Prefix));
                foreach (string warning in result.Warnings)
                {
                    WriteWarning(warning);
                }

                if (result.Decisions != null)
                {
                    foreach (SimulatedDecision decision in result.Decisions)
                    {
                        WriteObject(new BackupAccessDecision
                        {
                            Action = decision.Action,
                            ResourceKind = decision.ResourceKind,
                            Resource = decision.Resource,
                            Target = RelativeTarget(decision.Resource, bucketArn: null, decision.ContextDescription),
                            Context = decision.ContextDescription,
                            Decision = decision.Decision.ToString(),
                            DecidedBy = decision.DecidedBy,
                        });
                    }

                    return;
                }

                if (result.Differences != null)
                {
                    foreach (MatrixDifference difference in result.Differences)
                    {
                        WriteObject(new BackupPolicyDifference
                        {
                            Action = difference.Action,
                            ResourceKind = difference.ResourceKind,
                            Context = difference.ContextDescription,
                            Expected = difference.Expected ? "Allowed" : "Denied",
                            Actual = difference.Actual.ToString(),
                            Message = difference.Message,
                        });
                    }

                    return;
                }

                if (Summary)
                {
                    foreach (AccessSummaryRow row in AccessMatrixSummary.Summarize(result.Matrix!.Entries))
                    {
                        WriteObject(new BackupAccessSummary
                        {
                            ActionGroup = row.Group,
                            Bucket = row.Cells[ResourceKinds.Bucket],
                            ObjectInPrefix = row.Cells[ResourceKinds.ObjectInPrefix],
                            ObjectOutsidePrefix = row.Cells[ResourceKinds.ObjectOutsidePrefix],
                            ListContext = row.Cells[ResourceKinds.ListContext],
                            OtherBucket = row.Cells[ResourceKinds.OtherBucket],
                            OtherBucketObject = row.Cells[ResourceKinds.OtherBucketObject],
                            AllResources = row.Cells[ResourceKinds.AllResources],
                            AllowedActions = row.AllowedActions.ToArray(),
                        });
                    }

                    return;
                }

                string? bucketArn = result.Matrix!.Entries.FirstOrDefault(e => e.ResourceKind == ResourceKinds.Bucket)?.Resource;
                foreach (AccessMatrixEntry entry in result.Matrix!.Entries)
                {
                    if (AllowedOnly && entry.Decision != Decision.Allowed)
                    {
                        continue;
                    }

                    WriteObject(new BackupAccessDecision
                    {
                        Action = entry.Action,
                        ResourceKind = entry.ResourceKind,
                        Resource = entry.Resource,
                        Target = RelativeTarget(entry.Resource, bucketArn, entry.ContextDescription),
                        Context = entry.ContextDescription,
                        Decision = entry.Decision.ToString(),
                        DecidedBy = entry.DecidedBy,
                    });
                }
            }
            catch (Exception ex) when (ex is BackupIamException)
            {
                ThrowFailure(ex, BucketName);
            }
        }

        private void Collect(ParsedPolicy policy, object source) => _policies.Add(policy);

        /// <summary>A resource ARN relative to the backup bucket's ARN, for the table: "(bucket)", a key, "other/key" or "*".</summary>
        internal static string RelativeTarget(string resource, string? bucketArn, string? context)
        {
            string target;
            if (bucketArn != null && resource == bucketArn)
            {
                target = "(bucket)";
            }
            else if (bucketArn != null && resource.StartsWith(bucketArn + "/", StringComparison.Ordinal))
            {
                target = resource.Substring(bucketArn.Length + 1);
            }
            else
            {
                int s3 = resource.IndexOf(":s3:::", StringComparison.Ordinal);
                target = resource.StartsWith("arn:", StringComparison.Ordinal) && s3 >= 0 ? resource.Substring(s3 + 6) : resource;
                if (target.Length == 0)
                {
                    target = resource;
                }
            }

            // The condition keys without their "s3:" (the Context property keeps them): "(bucket) prefix=backups/ delimiter=/".
            return string.IsNullOrEmpty(context)
                ? target
                : target + " " + string.Join(" ", context!.Split(' ').Select(part => part.StartsWith("s3:", StringComparison.Ordinal) ? part.Substring(3) : part));
        }

        /// <summary>-Expect: a single object is an expected policy; strings are a preset, a policy's JSON or actions (the engine tells which).</summary>
        private SimulationExpectation ReadExpectation()
        {
            if (Expect.Length == 1)
            {
                object item = Expect[0] is PSObject ps && !(ps.BaseObject is PSCustomObject) ? ps.BaseObject : Expect[0];
                if (!(item is string))
                {
                    return SimulationExpectation.ForPolicy(PolicyInput.FromObject(Expect[0], nameof(Expect), 1).Parsed);
                }
            }

            return SimulationExpectation.Parse(Expect.Select(v => v is PSObject p ? p.BaseObject : v).ToList());
        }

        private Dictionary<string, IReadOnlyList<string>> ReadContext()
        {
            var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            if (Context != null)
            {
                foreach (DictionaryEntry pair in Context)
                {
                    object? value = pair.Value is PSObject ps ? ps.BaseObject : pair.Value;
                    IReadOnlyList<string> values = value is IEnumerable list && !(value is string)
                        ? list.Cast<object>().Select(v => Convert.ToString(v is PSObject p ? p.BaseObject : v, CultureInfo.InvariantCulture) ?? string.Empty).ToList()
                        : new[] { Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty };
                    context[pair.Key.ToString()!] = values;
                }
            }

            return context;
        }
    }
}
