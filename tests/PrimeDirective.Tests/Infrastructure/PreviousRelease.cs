using System.Diagnostics;
using System.Text;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// The silo of an earlier commit of this repository, built from git (<c>git archive</c> of the commit, then
/// <c>dotnet build src/Silo -c Release</c>) into <c>~/.cache/prime-directive/prev/&lt;commit&gt;</c> once: later runs reuse it.
/// Runs that build at the same time take turns on a lock file.
/// </summary>
public static class PreviousRelease
{
    /// <summary>
    /// main before this round's last storage changes (key store K004 <c>kek_versions</c> and <c>pseudonym_key_check</c>,
    /// the plain-data upgrade, the officers' second factor): grain state sealed whole, report rows with sealed addresses.
    /// </summary>
    public const string Commit = "faab1627a53fedc941fdbce9a7d4e07b50630dd9";

    private static readonly TimeSpan s_buildDeadline = TimeSpan.FromMinutes(15);

    /// <summary>Where builds are cached: <c>PD_PREVIOUS_RELEASE_CACHE</c>, else <c>~/.cache/prime-directive/prev</c>.</summary>
    public static string CacheRoot =>
        Environment.GetEnvironmentVariable("PD_PREVIOUS_RELEASE_CACHE") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "prime-directive", "prev");

    /// <summary>The path of the silo dll built from <paramref name="commit"/>, building it first if no run did yet.</summary>
    public static async Task<string> SiloAsync(string commit = Commit)
    {
        var cache = Path.Combine(CacheRoot, commit);
        var dll = Path.Combine(cache, "artifacts", "bin", "Silo", "release", "PrimeDirective.Silo.dll");
        var complete = Path.Combine(cache, "complete");
        if (File.Exists(complete))
        {
            return dll;
        }

        Directory.CreateDirectory(cache);
        await using var held = await LockAsync(Path.Combine(cache, ".lock"));
        if (File.Exists(complete))
        {
            return dll;
        }

        var source = Directory.CreateTempSubdirectory("pd-previous-release-").FullName;
        var building = Path.Combine(cache, "artifacts.partial");
        try
        {
            if (Directory.Exists(building))
            {
                Directory.Delete(building, recursive: true);
            }

            var archive = Path.Combine(source, "source.tar");
            await RunAsync("git", ["-C", RepositoryPaths.Root(), "archive", "--format=tar", $"--output={archive}", commit], source);
            await RunAsync("tar", ["-xf", archive, "-C", source], source);
            // No build servers or reused nodes: nothing of the build outlives it (as scripts/cluster.sh builds).
            await RunAsync(
                "dotnet",
                ["build", Path.Combine(source, "src", "Silo", "Silo.csproj"), "-c", "Release", "--artifacts-path", building, "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false"],
                source);
            Directory.Move(building, Path.Combine(cache, "artifacts"));
            await File.WriteAllTextAsync(complete, DateTimeOffset.UtcNow.ToString("O"));
            return dll;
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }

    /// <summary>An exclusive lock on <paramref name="path"/> (an advisory file lock on Linux), waited for up to the build deadline.</summary>
    private static async Task<FileStream> LockAsync(string path) =>
        await Eventually.ReturnsAsync(
            () =>
            {
                try
                {
                    return Task.FromResult<FileStream?>(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException)
                {
                    return Task.FromResult<FileStream?>(null);
                }
            },
            stream => stream is not null,
            s_buildDeadline,
            $"the build lock {path}") ?? throw new InvalidOperationException("unreachable");

    private static async Task RunAsync(string file, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(s_buildDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            lock (output)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{output}");
            }
        }
    }
}
