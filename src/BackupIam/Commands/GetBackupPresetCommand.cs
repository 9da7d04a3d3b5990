using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Presets;

namespace BackupIam.Commands
{
    /// <summary>Lists the policy presets with their source setup and description.</summary>
    [Cmdlet(VerbsCommon.Get, "BackupPreset", HelpUri = HelpLinks.HelpSource + "Get-BackupPreset.md")]
    [OutputType(typeof(BackupPresetInfo))]
    public sealed class GetBackupPresetCommand : BackupIamCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Preset")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.PresetCompleter))]
        public string[]? Name { get; set; }

        protected override void ProcessRecord()
        {
            string[] patterns = Name ?? new[] { "*" };
            foreach (string pattern in patterns)
            {
                var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
                var matches = PresetCatalog.All.Where(p => wildcard.IsMatch(p.Name)).ToList();
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                {
                    string valid = string.Join(", ", PresetCatalog.All.Select(p => p.Name));
                    WriteError(Errors.ErrorHelper.InvalidArgument(
                        "PresetNotFound", "Name", $"No preset is named '{pattern}'. Valid names: {valid}.", pattern));
                    continue;
                }

                foreach (PresetDefinition preset in matches)
                {
                    WriteObject(Convert(preset));
                }
            }
        }

        internal static BackupPresetInfo Convert(PresetDefinition preset) => new BackupPresetInfo
        {
            Name = preset.Name,
            Setup = preset.Setup,
            SetupTitle = preset.SetupTitle,
            Source = preset.Source,
            Description = preset.Description,
            DefaultKind = preset.DefaultKind.ToString(),
            SupportedKinds = preset.SupportedKinds.Select(k => k.ToString()).ToArray(),
            Options = preset.SupportedOptions.ToArray(),
            DefaultPrefix = preset.DefaultPrefix,
            Hardened = preset.Hardened,
            Tool = preset.Tool,
            ClientFlag = preset.ClientFlag,
        };
    }
}
