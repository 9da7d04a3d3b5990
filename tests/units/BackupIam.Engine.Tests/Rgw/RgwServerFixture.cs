using System.Diagnostics;
using System.Globalization;
using BackupIam.Engine.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Rgw;

/// <summary>
/// Brings up a real single-node Ceph RGW (tests/rgw/rgw.sh: msgr-v2 monitor, memstore OSD, beast on 127.0.0.1) for the
/// whole collection, with its own state directory and free ports, and tears it down afterwards. If it cannot come up,
/// the constructor throws and every test in the collection fails (never skips).
/// </summary>
public sealed class RgwServerFixture : IDisposable
{
    private readonly string _script;
    private readonly string _stateDir;

    public RgwServerFixture()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The Ceph RGW tests need Linux with the Debian packages ceph-mon ceph-osd radosgw ceph-common (tests/rgw/rgw.sh installs them).");
        }

        _script = Path.Combine(FindRepositoryRoot(), "tests", "rgw", "rgw.sh");
        _stateDir = Path.Combine(Path.GetTempPath(), "backupiam-rgw-xunit-" + Guid.NewGuid().ToString("N").Substring(0, 12));
        var (exit, stdout, stderr) = RunScript("start", _stateDir);
        if (exit != 0)
        {
            throw new InvalidOperationException($"Ceph RGW did not come up (tests/rgw/rgw.sh start exited {exit}): {stderr}");
        }

        Dictionary<string, string> values = ParseValues(stdout, "RGW_");
        EndpointUrl = values["RGW_ENDPOINT"];
        AdminAccessKey = values["RGW_ADMIN_ACCESS_KEY"];
        AdminSecretKey = values["RGW_ADMIN_SECRET_KEY"];
        BringUpSeconds = double.Parse(values["RGW_BRINGUP_SECONDS"], CultureInfo.InvariantCulture);
    }

    public string EndpointUrl { get; }

    public string AdminAccessKey { get; }

    public string AdminSecretKey { get; }

    public double BringUpSeconds { get; }

    /// <summary>A session pointed at RGW for every service, as the admin user (bucket owner, caps user-policy=*).</summary>
    public AwsSession CreateSession() => CreateSession(AdminAccessKey, AdminSecretKey);

    public AwsSession CreateSession(string accessKey, string secretKey) =>
        AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = accessKey, SecretKey = secretKey, Region = "us-east-1", EndpointUrl = EndpointUrl },
            new Dictionary<string, string?>());

    /// <summary>Creates a user with radosgw-admin (RGW has no IAM CreateUser) and returns its keys.</summary>
    public RgwUser CreateUser(string name, string? tenant = null, int? maxBuckets = null)
    {
        var args = new List<string> { "user", _stateDir, name };
        if (tenant != null)
        {
            args.Add("--tenant");
            args.Add(tenant);
        }

        if (maxBuckets != null)
        {
            args.Add("--max-buckets");
            args.Add(maxBuckets.Value.ToString(CultureInfo.InvariantCulture));
        }

        var (exit, stdout, stderr) = RunScript(args.ToArray());
        if (exit != 0)
        {
            throw new InvalidOperationException($"radosgw-admin could not create user '{name}': {stderr}");
        }

        Dictionary<string, string> values = ParseValues(stdout, "RGW_USER_");
        return new RgwUser(values["RGW_USER_UID"], values["RGW_USER_ACCESS_KEY"], values["RGW_USER_SECRET_KEY"]);
    }

    public static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N").Substring(0, 10);

    public void Dispose()
    {
        if (Directory.Exists(_stateDir))
        {
            RunScript("stop", _stateDir);
        }
    }

    private (int Exit, string Stdout, string Stderr) RunScript(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(_script);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        // Bounded: start has its own 120 s timeout (RGW_START_TIMEOUT); installing packages may add a few minutes.
        if (!process.WaitForExit(600_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("tests/rgw/rgw.sh " + string.Join(' ', args) + " did not finish within 10 minutes");
        }

        return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }

    private static Dictionary<string, string> ParseValues(string text, string prefix)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            int eq = line.IndexOf('=');
            if (line.StartsWith(prefix, StringComparison.Ordinal) && eq > 0)
            {
                values[line.Substring(0, eq)] = line.Substring(eq + 1).Trim();
            }
        }

        return values;
    }

    private static string FindRepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string sourceFile = "")
    {
        // The build output may live outside the checkout (BACKUPIAM_OUT, ArtifactsPath): start from this source file.
        foreach (string start in new[] { Path.GetDirectoryName(sourceFile) ?? "", AppContext.BaseDirectory })
        for (DirectoryInfo? dir = start.Length == 0 ? null : new DirectoryInfo(start); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tests", "rgw", "rgw.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("tests/rgw/rgw.sh was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>An RGW user made with radosgw-admin: its id ("tenant$name" with a tenant) and keys.</summary>
public sealed record RgwUser(string UserId, string AccessKey, string SecretKey);

[CollectionDefinition(Name)]
public sealed class RgwCollection : ICollectionFixture<RgwServerFixture>
{
    public const string Name = "Ceph RGW server";
}
