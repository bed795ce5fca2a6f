namespace PrimeDirective.Grains.Storage;

/// <summary>Names of the grain storage providers.</summary>
public static class StorageNames
{
    /// <summary>State of data subjects (clusters, people): personal data, held in the subject's region.</summary>
    public const string Subjects = "subjects";
}
