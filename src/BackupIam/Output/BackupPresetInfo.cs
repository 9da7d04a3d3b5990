namespace BackupIam
{
    /// <summary>A named policy preset: which of the five setups it comes from and what it grants.</summary>
    public sealed class BackupPresetInfo
    {
        public string Name { get; set; } = "";
        public int Setup { get; set; }
        public string SetupTitle { get; set; } = "";
        public string Source { get; set; } = "";
        public string Description { get; set; } = "";
        public string DefaultKind { get; set; } = "";
        public string[] SupportedKinds { get; set; } = new string[0];
        public string[] Options { get; set; } = new string[0];
        public string DefaultPrefix { get; set; } = "";
        public bool Hardened { get; set; }
        public string Tool { get; set; } = "";
        public string ClientFlag { get; set; } = "";

        public override string ToString() => Name;
    }
}
