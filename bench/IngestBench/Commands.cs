using System.Diagnostics;

namespace PrimeDirective.IngestBench;

/// <summary>Runs a command to its end and fails loudly when it fails.</summary>
internal static class Commands
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>; as <paramref name="user"/> (via runuser) when the bench runs as root.</summary>
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? user = null)
    {
        var asOther = user is not null && Environment.UserName == "root";
        var start = new ProcessStartInfo(asOther ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asOther)
        {
            foreach (var argument in new[] { "-u", user!, "--", file })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{Path.GetFileName(file)} exited with {process.ExitCode}: {(await errors).Trim()} {(await output).Trim()}");
    }
}
