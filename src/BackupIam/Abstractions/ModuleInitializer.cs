using System;
using System.IO;
using System.Reflection;
using System.Management.Automation;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Runs when PowerShell imports the module, before any cmdlet runs: makes the engine and its dependencies in
    /// bin/deps loadable. On PowerShell 7 they go into BackupIam's own AssemblyLoadContext (through the net8.0 loader);
    /// Windows PowerShell 5.1 has one AppDomain, where they are resolved from bin/deps as they are needed.
    /// Nothing here may touch an engine type: they are not loadable until this has run.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        private static readonly object Gate = new object();
        private static bool _done;

        public void OnImport()
        {
            lock (Gate)
            {
                if (_done)
                {
                    return;
                }

                string bin = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".";
                string deps = Path.Combine(bin, "deps");
                bool isCore = typeof(object).Assembly.GetName().Name == "System.Private.CoreLib";
                if (isCore)
                {
                    Assembly loader = Assembly.LoadFrom(Path.Combine(bin, "BackupIam.Loader.dll"));
                    loader.GetType("BackupIam.Loader.LoadContext", throwOnError: true)!
                        .GetMethod("Register", BindingFlags.Public | BindingFlags.Static)!
                        .Invoke(null, new object[] { deps });
                }
                else
                {
                    AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
                    {
                        string candidate = Path.Combine(deps, new AssemblyName(args.Name).Name + ".dll");
                        return File.Exists(candidate) ? Assembly.LoadFrom(candidate) : null;
                    };
                }

                _done = true;
            }
        }
    }
}
