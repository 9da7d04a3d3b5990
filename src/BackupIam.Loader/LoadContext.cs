using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
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

                var context = new BackupIamLoadContext(Path.GetFullPath(dependencyDirectory));

                // The default context asks only for what the cmdlet assembly references that it cannot find: the engine.
                // Answer for BackupIam's own assemblies and nothing else, so another module that resolves, say,
                // AWSSDK.Core by name never gets our private copy. The engine's own dependencies are resolved inside
                // the private context by its Load override.
                AssemblyLoadContext.Default.Resolving += (_, name) =>
                    name.Name != null && name.Name.StartsWith("BackupIam.", StringComparison.Ordinal) ? context.TryLoad(name) : null;
                _context = context;
            }
        }

        private sealed class BackupIamLoadContext : AssemblyLoadContext
        {
            private readonly string _directory;
            private readonly HashSet<string> _platformAssemblies;

            public BackupIamLoadContext(string directory)
                : base(ContextName, isCollectible: false)
            {
                _directory = directory;
                _platformAssemblies = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
                {
                    foreach (string path in tpa.Split(Path.PathSeparator))
                    {
                        _platformAssemblies.Add(Path.GetFileNameWithoutExtension(path));
                    }
                }
            }

            /// <summary>Loads a private dependency into this context, or returns null when it is not ours to load.</summary>
            public Assembly? TryLoad(AssemblyName assemblyName)
            {
                string? name = assemblyName.Name;
                if (name is null || _platformAssemblies.Contains(name))
                {
                    return null;
                }

                string candidate = Path.Combine(_directory, name + ".dll");
                return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
            }

            protected override Assembly? Load(AssemblyName assemblyName) => TryLoad(assemblyName);
        }
    }
}
