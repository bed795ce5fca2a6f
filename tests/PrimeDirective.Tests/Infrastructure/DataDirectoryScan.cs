using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// The bytes PostgreSQL keeps on disk, as someone holding the server's disk (or a file-level backup of it) would read them:
/// the data directory of the test server (<c>PD_TEST_PG</c>), every file, <c>pg_wal</c> included. The server's superuser
/// is reached as the <c>postgres</c> operating-system user over the local socket (the tests run as root, as the Debian
/// install of scripts/postgres.sh expects).
/// </summary>
public static class DataDirectoryScan
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>Runs <paramref name="sql"/> as the server's superuser and returns its first column, trimmed.</summary>
    public static async Task<string> SuperuserAsync(string sql)
    {
        var port = new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString).Port.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-u", "postgres", "--", PostgresTools.Binary("psql"), "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-p", port, "-d", "postgres", "-c", sql })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"psql as postgres failed (the test needs root and the local server's socket): {await error}");
        return (await output).Trim();
    }

    /// <summary>Forces every dirty page and the WAL to disk (<c>CHECKPOINT</c>), then returns the server's data directory.</summary>
    public static async Task<string> CheckpointAsync()
    {
        await SuperuserAsync("checkpoint");
        return await SuperuserAsync("show data_directory");
    }

    /// <summary>
    /// Every (file, label) where a needle of <paramref name="needles"/> (label, text forms; ASCII, compared ignoring case)
    /// occurs in the bytes of a file under <paramref name="directory"/>. A file removed while it is read is skipped: it is
    /// no longer on the disk.
    /// </summary>
    public static List<(string File, string Label)> Find(string directory, IReadOnlyList<(string Label, IReadOnlyList<string> Forms)> needles)
    {
        var forms = needles.SelectMany(needle => needle.Forms.Select(form => (needle.Label, Form: form))).ToList();
        var search = SearchValues.Create([.. forms.Select(form => form.Form).Distinct(StringComparer.OrdinalIgnoreCase)], StringComparison.OrdinalIgnoreCase);
        var overlap = forms.Max(form => form.Form.Length) - 1;
        var hits = new HashSet<(string, string)>();
        var bytes = new byte[ChunkBytes + overlap];
        var chars = new char[bytes.Length];
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
                var carried = 0;
                int read;
                while ((read = stream.Read(bytes, carried, ChunkBytes)) > 0)
                {
                    var length = carried + read;
                    // Latin-1 maps each byte to one char, so an ASCII form matches exactly where its bytes are.
                    Encoding.Latin1.GetChars(bytes, 0, length, chars, 0);
                    var text = chars.AsSpan(0, length);
                    for (var at = text.IndexOfAny(search); at >= 0;)
                    {
                        foreach (var (label, form) in forms)
                        {
                            if (text[at..].StartsWith(form, StringComparison.OrdinalIgnoreCase))
                            {
                                hits.Add((Path.GetRelativePath(directory, file), label));
                            }
                        }

                        var next = text[(at + 1)..].IndexOfAny(search);
                        at = next < 0 ? -1 : at + 1 + next;
                    }

                    carried = Math.Min(overlap, length);
                    Array.Copy(bytes, length - carried, bytes, 0, carried);
                }
            }
            catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
            {
                // Removed while scanning (a dropped database, a recycled segment): nothing of it is left to read.
            }
        }

        return [.. hits];
    }
}
