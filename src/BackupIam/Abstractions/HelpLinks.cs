namespace BackupIam.Abstractions
{
    /// <summary>
    /// The one place that names where BackupIam lives online. Every cmdlet's HelpUri points at its help source,
    /// <c>en-US/&lt;Cmdlet&gt;.md</c>, in the repository (so <c>Get-Help -Online</c> has an address), and the manifest's
    /// ProjectUri and LicenseUri use the same repository address (a Pester test keeps them in step).
    /// </summary>
    internal static class HelpLinks
    {
        /// <summary>The project's repository.</summary>
        public const string Repository = "https://github.com/backupiam/BackupIam";

        /// <summary>Where the help sources are; a cmdlet's HelpUri is this followed by <c>&lt;Verb-Noun&gt;.md</c>.</summary>
        public const string HelpSource = Repository + "/blob/main/en-US/";
    }
}
