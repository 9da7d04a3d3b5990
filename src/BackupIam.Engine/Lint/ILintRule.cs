using System;
using System.Collections.Generic;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Lint
{
    /// <summary>
    /// A rule that looks at the whole policy once (size, Version). Rules are stateless singletons, as PSScriptAnalyzer's
    /// rules are; <see cref="PolicyLinter"/> runs them in a fixed order.
    /// </summary>
    internal interface IPolicyLintRule
    {
        /// <summary>Adds the rule's findings for the whole policy to <see cref="LintContext.Findings"/>.</summary>
        void Check(LintContext context);
    }

    /// <summary>A rule that looks at one statement at a time.</summary>
    internal interface IStatementLintRule
    {
        /// <summary>Whether the rule runs on this statement (for example only on Allow statements, or only when the policy is meant to be write-only).</summary>
        bool AppliesTo(LintContext context, PolicyStatement statement);

        /// <summary>Adds the rule's findings for the statement at <paramref name="index"/> to <see cref="LintContext.Findings"/>.</summary>
        void Check(LintContext context, PolicyStatement statement, int index);
    }

    /// <summary>What every rule sees: the policy, the options, the catalogue, and the findings so far.</summary>
    internal sealed class LintContext
    {
        private OverwriteProbe? _overwrites;

        public LintContext(PolicyDocument document, LintOptions options, int? size)
        {
            Document = document;
            Options = options;
            Size = size;
            WriteOnly = options.WriteOnlyIntent || LintOptions.NameImpliesWriteOnly(document.Id);
            CheckOverwrites = options.VersioningEnabled != true && !options.HasNoOverwriteRule;
        }

        public PolicyDocument Document { get; }

        public LintOptions Options { get; }

        public PolicyContainer Container => Options.Container;

        public S3ActionCatalog Catalog { get; } = S3ActionCatalog.Default;

        /// <summary>The size measured for the quota, or null when it could not be measured.</summary>
        public int? Size { get; }

        /// <summary>The policy is meant to be write-only (by option or by its Id).</summary>
        public bool WriteOnly { get; }

        /// <summary>Overwrites matter: versioning is not known to be on and no no-overwrite rule exists elsewhere.</summary>
        public bool CheckOverwrites { get; }

        public List<PolicyFinding> Findings { get; } = new List<PolicyFinding>();

        /// <summary>The overwrite simulation of the whole policy, compiled on first use.</summary>
        public OverwriteProbe Overwrites => _overwrites ??= new OverwriteProbe(Document, Container == PolicyContainer.BucketPolicy);
    }
}
