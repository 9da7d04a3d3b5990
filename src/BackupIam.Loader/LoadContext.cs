using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace BackupIam.Loader
{
    /// <summary>
    /// Puts BackupIam's engine and its private dependencies (the AWSSDK copies among them) in an AssemblyLoadContext of
    /// their own on PowerShell 7, so that another module that loads a different AWSSDK.Core build into the default
    /// context, before or after us, breaks neither. The cmdlet assembly itself stays in the default context, where
    /// PowerShell loads binary modules; when it needs a dependency the default context cannot find, the Resolving
    /// handler registered here answers from the private context. Assemblies the runtime itself provides (System.*,
    /// System.Management.Automation) are never loaded privately, so types shared with PowerShell stay one type.
    /// </summary>
    public static class LoadContext
    {
        private static readonly object Gate = new object();
        private static BackupIamLoadContext? _context;

        /// <summary>The private load context's name.</summary>
        public const string ContextName = "BackupIam";

        /// <summary>Creates the private context over <paramref name="dependencyDirectory"/> and hooks it up (once per process).</summary>
        public static void Register(string dependencyDirectory)
        {
            lock (Gate)
            {
                if (_context != null)
                {
                    return;
                }

                string directory = Path.GetFullPath(dependencyDirectory);
                var context = new BackupIamLoadContext(directory, FindReadyToRunDirectory(directory));

                // The default context asks only for what the cmdlet assembly references that it cannot find: the engine.
                // Answer for BackupIam's own assemblies and nothing else, so another module that resolves, say,
                // AWSSDK.Core by name never gets our private copy. The engine's own dependencies are resolved inside
                // the private context by its Load override.
                AssemblyLoadContext.Default.Resolving += (_, name) =>
                    name.Name != null && name.Name.StartsWith("BackupIam.", StringComparison.Ordinal) ? context.TryLoad(name) : null;
                _context = context;
            }
        }

        /// <summary>The folder of ReadyToRun images in use, or null when this runtime has none (set by <see cref="Register"/>).</summary>
        public static string? ReadyToRunDirectory => _context?.ReadyToRunDirectory;

        /// <summary>
        /// The build puts ReadyToRun images (the same IL plus native code precompiled for one runtime, so the first
        /// command JIT-compiles far less) of bin/deps' assemblies in bin/r2r/net{N}.0-{os}-{arch}/. Use the folder for
        /// this OS and architecture with the highest N not above the running runtime's major version (precompiled
        /// code is valid on later runtimes; the runtime JIT-compiles any method whose code it rejects). None found, or
        /// BACKUPIAM_READYTORUN=0: bin/deps alone, as on Windows PowerShell 5.1.
        /// </summary>
        private static string? FindReadyToRunDirectory(string dependencyDirectory)
        {
            if (Environment.GetEnvironmentVariable("BACKUPIAM_READYTORUN") == "0")
            {
                return null;
            }

            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsLinux() ? "linux" : "";
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            string root = Path.Combine(Path.GetDirectoryName(dependencyDirectory) ?? dependencyDirectory, "r2r");
            if (os.Length == 0 || !Directory.Exists(root))
            {
                return null;
            }

            string suffix = "-" + os + "-" + arch;
            string? best = null;
            int bestMajor = -1;
            foreach (string dir in Directory.GetDirectories(root))
            {
                string name = Path.GetFileName(dir);
                if (!name.StartsWith("net", StringComparison.Ordinal) || !name.EndsWith(".0" + suffix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (int.TryParse(name.Substring(3, name.Length - 3 - 2 - suffix.Length), out int major)
                    && major <= Environment.Version.Major && major > bestMajor)
                {
                    best = dir;
                    bestMajor = major;
                }
            }

            return best;
        }

        private sealed class BackupIamLoadContext : AssemblyLoadContext
        {
            private readonly string _directory;
            private readonly HashSet<string> _platformAssemblies;

            public BackupIamLoadContext(string directory, string? readyToRunDirectory)
                : base(ContextName, isCollectible: false)
            {
                _directory = directory;
                ReadyToRunDirectory = readyToRunDirectory;
                _platformAssemblies = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
                {
                    foreach (string path in tpa.Split(Path.PathSeparator))
                    {
                        _platformAssemblies.Add(Path.GetFileNameWithoutExtension(path));
                    }
                }
            }

            public string? ReadyToRunDirectory { get; }

            /// <summary>Loads a private dependency into this context, or returns null when it is not ours to load.</summary>
            public Assembly? TryLoad(AssemblyName assemblyName)
            {
                string? name = assemblyName.Name;
                if (name is null || _platformAssemblies.Contains(name))
                {
                    return null;
                }

                // A ReadyToRun image holds the same IL and metadata as its bin/deps copy; only the file differs.
                if (ReadyToRunDirectory != null)
                {
                    string precompiled = Path.Combine(ReadyToRunDirectory, name + ".dll");
                    if (File.Exists(precompiled))
                    {
                        return LoadFromAssemblyPath(precompiled);
                    }
                }

                string candidate = Path.Combine(_directory, name + ".dll");
                return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
            }

            protected override Assembly? Load(AssemblyName assemblyName) => TryLoad(assemblyName);
        }
    }
}
