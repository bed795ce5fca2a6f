namespace PrimeDirective.Tests.Infrastructure;

/// <summary>Where the repository's own files are, for tests that read or write them.</summary>
public static class RepositoryPaths
{
    /// <summary>The checkout's root: the first directory above the test binaries that holds <c>Actors.sln</c>.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Actors.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No repository root above the test binaries.");
    }
}
