using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Plain PutObject allowed on an unversioned bucket, so backups can be overwritten (OverwritableBackups).</summary>
    internal sealed class OverwriteRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) => statement.Effect == PolicyEffect.Allow && context.CheckOverwrites;

        public void Check(LintContext context, PolicyStatement statement, int index) => CheckOverwrites(context.Findings, statement, index, context.Catalog, context.Options.VersioningEnabled, () => context.Overwrites);

        private static void CheckOverwrites(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog, bool? versioning, Func<OverwriteProbe> probe)
        {
            if (!catalog.TryGet("s3:PutObject", out S3ActionInfo putObject) || !AllowsAction(st, putObject, catalog))
            {
                return;
            }

            // Simulated: a plain PutObject (which overwrites) must be denied for this statement's objects.
            OverwriteProbe overwrites = probe();
            if (!overwrites.AllowsOverwrite(st))
            {
                return;
            }

            string? action = "s3:PutObject";
            if (!st.IsNotAction)
            {
                foreach (string a in st.Actions)
                {
                    if (a != null && ContainsInfo(catalog.Match(a), putObject))
                    {
                        action = a;
                        break;
                    }
                }
            }

            string state = versioning == false ? "versioning is off" : "versioning is not known to be enabled";
            findings.Add(new PolicyFinding(
                FindingSeverity.Warning,
                FindingIds.OverwritableBackups,
                i,
                st.Sid,
                action,
                "The statement allows s3:PutObject while " + state + ", and a plain PutObject (without If-None-Match: *) is allowed on its objects, so a stolen key or a faulty client can overwrite existing backups with garbage"
                + (overwrites.AllowsSafeUpload(st) ? "." : "; uploads with If-None-Match: * (which never overwrite) are not even allowed."),
                "Enable versioning on the bucket (with a lifecycle rule that expires noncurrent versions), or add a Deny statement on \"s3:PutObject\" with Condition {\"Null\": {\"s3:if-none-match\": \"true\"}} so that uploads succeed only with If-None-Match: * (no overwrite)."));
        }
    }
}
