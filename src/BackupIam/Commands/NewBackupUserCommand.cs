using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.RegularExpressions;
using BackupIam.Abstractions;
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
                    UserPlan plan = Run(ct => planner.PlanUserAsync(spec, ct));
                    PlanOutcome outcome = ApplyPlan(plan);
                    string? arn = plan.User?.Arn ?? PlannedArn(name);
                    WriteObject(new BackupUser
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
                    });
                }
                catch (BackupIamException ex)
                {
                    WriteFailure(ex, name);
                }
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
