using BackupIam.Engine.Lint;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using Xunit;

namespace BackupIam.Engine.Tests.Presets
{
    /// <summary>
    /// Issue 13: the hardening Deny statements must not make the linter complain about a preset. Every preset, in every
    /// kind, with and without its options, lints exactly as its Allow statements alone do.
    /// </summary>
    public class PresetLintTests
    {
        private const string Bucket = "my-backup-bucket";
        private const string UserArn = "arn:aws:iam::123456789012:user/backup";

        public static TheoryData<string, string, bool> Cases()
        {
            var data = new TheoryData<string, string, bool>();
            foreach (PresetDefinition p in PresetCatalog.All)
            {
                foreach (PresetPolicyKind kind in p.SupportedKinds)
                {
                    data.Add(p.Name, kind.ToString(), false);
                    if (p.SupportedOptions.Count > 0)
                    {
                        data.Add(p.Name, kind.ToString(), true);
                    }
                }
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void HardeningAddsNoFinding(string preset, string kind, bool withOptions)
        {
            PolicyPresetCase c = Make(preset, kind, withOptions);
            var lint = new LintOptions { Container = c.Kind == PresetPolicyKind.Bucket ? PolicyContainer.BucketPolicy : PolicyContainer.UserInline, VersioningEnabled = true };

            IReadOnlyList<PolicyFinding> withDenies = PolicyLinter.Lint(c.Document, lint);
            PolicyDocument allowsOnly = PolicyJson.Parse(PolicyJson.ToJson(c.Document));
            allowsOnly.Statements.RemoveAll(s => s.Effect == PolicyEffect.Deny);
            IReadOnlyList<PolicyFinding> withoutDenies = PolicyLinter.Lint(allowsOnly, lint);

            string Describe(IEnumerable<PolicyFinding> f) => string.Join("; ", f.Select(x => x.Severity + " " + x.Id + " " + x.Action).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal(Describe(withoutDenies), Describe(withDenies));
            Assert.DoesNotContain(withDenies, f => f.Severity == FindingSeverity.Error);
        }

        [Fact]
        public void TheComparisonCanFail_ADenyOnAnUnknownActionIsReported()
        {
            PolicyDocument doc = PresetCatalog.Build("UploadOnly", new PresetOptions { BucketName = Bucket });
            doc.Statements.Single(s => s.Sid == "DenyReadDeleteAndChanges").Actions.Add("s3:GetObjekt");
            Assert.Contains(PolicyLinter.Lint(doc, new LintOptions()), f => f.Action == "s3:GetObjekt");
        }

        private static PolicyPresetCase Make(string preset, string kindName, bool withOptions)
        {
            PresetDefinition p = PresetCatalog.Get(preset);
            var kind = (PresetPolicyKind)Enum.Parse(typeof(PresetPolicyKind), kindName);
            var o = new PresetOptions { BucketName = Bucket, Kind = kind, PrincipalArn = kind == PresetPolicyKind.Bucket ? UserArn : null };
            if (withOptions)
            {
                foreach (string option in p.SupportedOptions)
                {
                    bool accountWide = option == nameof(PresetOptions.AllowBucketDiscovery) || option == nameof(PresetOptions.AllowCreateBucket);
                    if (!(kind == PresetPolicyKind.Bucket && accountWide))
                    {
                        typeof(PresetOptions).GetProperty(option)!.SetValue(o, true);
                    }
                }
            }

            return new PolicyPresetCase(kind, PresetCatalog.Build(preset, o));
        }

        private sealed record PolicyPresetCase(PresetPolicyKind Kind, PolicyDocument Document);
    }
}
