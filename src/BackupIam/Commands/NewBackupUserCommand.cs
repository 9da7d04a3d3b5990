using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Abstractions;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Creates (or confirms) an IAM user for a backup job, with no console password.</summary>
    [Cmdlet(VerbsCommon.New, "BackupUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "New-BackupUser.md")]
    [OutputType(typeof(BackupUser))]
    public sealed class NewBackupUserCommand : AwsCmdlet
    {
        private static readonly Regex AccountFromArn = new Regex(@"^arn:[^:]+:iam::([0-9]{12}):", RegexOptions.CultureInvariant);

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] UserName { get; set; } = new string[0];

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        [Parameter]
        [Alias("Tags")]
        public Hashtable? Tag { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PermissionsBoundary { get; set; }

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(UserName)))
            {
                foreach (string name in UserName)
                {
                    IamNames.ValidateUserName(name);
                }
            }

            IamNames.ValidatePath(Path);
            IamNames.ValidateTags(ToDictionary(Tag));
            IamNames.ValidatePolicyArn(PermissionsBoundary, nameof(PermissionsBoundary));
        }

        protected override void ProcessRecord()
        {
            foreach (string name in UserName)
            {
                try
                {
                    var spec = new UserSpec { UserName = name, Path = Path, Tags = ToDictionary(Tag), PermissionsBoundaryArn = PermissionsBoundary };
                    var planner = new IdentityPlanner(Iam);
                    // Reads later cmdlets of this pipeline will make of this user, sent together with GetUser and
                    // GetLoginProfile, and dropped unread when the user does not exist (issue 16; PipelineReads).
                    var early = new List<(string Read, Task Task)>();
                    bool wantGroups = PipelineReads.IsWanted(PipelineReads.GroupsForUser);
                    bool wantKeys = PipelineReads.IsWanted(PipelineReads.AccessKeys);
                    IReadOnlyList<string> wantPolicies = PipelineReads.WantedPolicyNames(PipelineReads.UserPolicy);
                    IIamClient iam = Iam;
                    CancellationToken token = CancellationToken;
                    Action? readsAhead = !wantGroups && !wantKeys && wantPolicies.Count == 0 ? null : () =>
                    {
                        if (wantGroups)
                        {
                            early.Add((PipelineReads.GroupsForUser, PipelineReads.Started(iam.ListAllGroupsForUserAsync(name, token))));
                        }

                        if (wantKeys)
                        {
                            early.Add((PipelineReads.AccessKeys, PipelineReads.Started(iam.ListAllAccessKeysAsync(name, token))));
                        }

                        foreach (string policyName in wantPolicies)
                        {
                            early.Add((PipelineReads.ForPolicy(PipelineReads.UserPolicy, policyName),
                                PipelineReads.Started(planner.ReadInlinePolicyAsync(InlinePolicyOwner.User, name, policyName, token))));
                        }
                    };
                    UserPlan plan = Run(ct => planner.PlanUserAsync(spec, ct, readsAhead));
                    if (!plan.Exists)
                    {
                        early.Clear(); // reads of a user that does not exist: dropped unread
                    }

                    // A downstream New-BackupAccessKey that nothing can decline takes over the user's lock, taken here
                    // before CreateUser: no other run can make a key for the new user meanwhile, so the key is created
                    // without a ListAccessKeys (issue 16). Released when this record has gone down the pipeline.
                    using HandedLock? userLock = !plan.Exists && !IsWhatIf && !MayAskToConfirm() && UserLockWantedDownstream ? LockForDownstream(name) : null;
                    PlanOutcome outcome = ApplyPlan(plan);
                    string? arn = plan.User?.Arn ?? PlannedArn(name);
                    using (OfferPipelineReads("user", name, early))
                    WriteResult(new BackupUser
                    {
                        UserName = name,
                        UserId = plan.User?.UserId,
                        Arn = arn,
                        Path = plan.User?.Path ?? Path ?? "/",
                        AccountId = arn == null ? null : AccountFromArn.Match(arn).Groups[1].Value,
                        CreateDate = plan.User?.CreateDate,
                        PermissionsBoundary = plan.User?.PermissionsBoundary?.PermissionsBoundaryArn ?? PermissionsBoundary,
                        Status = outcome.Status.ToString(),
                        Changes = outcome.Actions,
                    }, "user", name, outcome.Status, userLock);
                }
                catch (BackupIamException ex)
                {
                    WriteFailure(ex, name);
                }
            }
        }

        /// <summary>The user's key lock (see New-BackupAccessKey's help), or null when it cannot be taken (then the key cmdlet locks and lists as usual).</summary>
        private HandedLock? LockForDownstream(string name)
        {
            try
            {
                AccessKeyJournal journal = KeyJournal;
                return new HandedLock(Run(ct => journal.LockUserAsync(name, ct)));
            }
            catch (BackupIamException ex)
            {
                WriteDebug($"IAM user '{name}': its key lock is not handed on ({ex.Message}).");
                return null;
            }
        }

        /// <summary>The ARN a user that is only planned (-WhatIf) will have, so that the next cmdlet can plan with it.</summary>
        private string? PlannedArn(string name)
        {
            try
            {
                using (var sts = new BackupIam.Engine.Aws.StsGateway(Session))
                {
                    string account = Run(ct => sts.GetCallerIdentityAsync(ct)).Account;
                    return $"arn:{Session.Partition}:iam::{account}:user{Path ?? "/"}{name}";
                }
            }
            catch (BackupIamException ex)
            {
                WriteVerbose($"The planned user's ARN is unknown: sts:GetCallerIdentity failed ({ex.Message}).");
                return null;
            }
        }

        internal static IDictionary<string, string>? ToDictionary(Hashtable? table)
        {
            if (table == null)
            {
                return null;
            }

            var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in table)
            {
                result[entry.Key.ToString()!] = entry.Value?.ToString() ?? string.Empty;
            }

            return result;
        }
    }
}
