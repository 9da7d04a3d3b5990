using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>The policy is over its container's size quota (PolicyTooLarge); see <see cref="PolicySizeLimits"/>.</summary>
    internal sealed class PolicyTooLargeRule : IPolicyLintRule
    {
        public void Check(LintContext context)
        {
            PolicyContainer container = context.Container;
            int limit = PolicySizeLimits.GetLimit(container);
            if (!context.Size.HasValue || context.Size.Value <= limit)
            {
                return;
            }

            string unit = PolicySizeLimits.Unit(container);
            context.Findings.Add(new PolicyFinding(
                FindingSeverity.Error,
                FindingIds.PolicyTooLarge,
                null,
                null,
                null,
                string.Format(CultureInfo.InvariantCulture, "The policy is {0:N0} {1} (whitespace not counted), over the {2:N0}-{1} quota of a {3} policy.", context.Size.Value, unit, limit, Describe(container)),
                container == PolicyContainer.UserInline || container == PolicyContainer.GroupInline
                    ? "Merge statements that share a Resource, replace long action lists with a few precise wildcards such as \"s3:GetObject*\", or use a managed policy (6,144) or a role (10,240) instead."
                    : "Merge statements that share a Resource, drop actions the backup client never calls, and use precise wildcards such as \"s3:GetObject*\" instead of long lists."));
        }
    }
}
