using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace BackupIam.Loader
{
    /// <summary>
    /// Loads BackupIam and its private dependencies (the AWSSDK copies among them) into an
    /// AssemblyLoadContext of their own on PowerShell 7, so that another module that loads a
    /// different AWSSDK.Core build into the default context, before or after us, breaks neither.
    /// Assemblies the runtime itself provides (System.*, System.Management.Automation) are left
    /// to the default context so that types shared with PowerShell stay one type.
    /// </summary>
    public static class LoadContext
    {
        private static readonly object Gate = new object();
        private static BackupIamLoadContext? _context;

        /// <summary>True once <see cref="Initialize"/> has run in this process (the module is being re-imported).</summary>
        public static bool IsInitialized => _context != null;

        /// <summary>Loads (once) and returns the cmdlet assembly BackupIam.dll from <paramref name="libDirectory"/>.</summary>
        public static Assembly Initialize(string libDirectory)
        {
            lock (Gate)
            {
                _context ??= new BackupIamLoadContext(Path.GetFullPath(libDirectory));
                return _context.LoadFromAssemblyName(new AssemblyName("BackupIam"));
            }
        }

        private sealed class BackupIamLoadContext : AssemblyLoadContext
        {
            private readonly string _directory;
            private readonly HashSet<string> _platformAssemblies;

            public BackupIamLoadContext(string directory)
                : base("BackupIam", isCollectible: false)
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

            protected override Assembly? Load(AssemblyName assemblyName)
            {
                string? name = assemblyName.Name;
                if (name is null || _platformAssemblies.Contains(name))
                {
                    return null;
                }

                string candidate = Path.Combine(_directory, name + ".dll");
                return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
            }
        }
    }
}
