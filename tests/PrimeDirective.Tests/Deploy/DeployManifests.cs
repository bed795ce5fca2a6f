using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using k8s;
using k8s.Models;

namespace PrimeDirective.Tests.Deploy;

/// <summary>A pod-owning workload of a rendered overlay, as the checks see it.</summary>
public sealed record Workload(string Region, string Kind, string Name, V1ObjectMeta Metadata, V1LabelSelector Selector, V1PodTemplateSpec Template)
{
    public V1PodSpec Pod => Template.Spec;

    public V1Container Container => Assert.Single(Pod.Containers);

    public IList<V1EnvVar> Env => Container.Env ?? [];

    /// <summary>The literal value of an environment variable, or null when it is absent or comes from elsewhere.</summary>
    public string? Literal(string name) => Env.SingleOrDefault(env => env.Name == name)?.Value;

    public ImageReference Image => ImageReference.Parse(Container.Image);

    public override string ToString() => $"{Region}: {Kind}/{Name}";
}

/// <summary>One region's overlay rendered by <c>kubectl kustomize</c>, loaded strictly, with its example secrets.</summary>
public sealed record RegionManifests(string Region, string Yaml, IReadOnlyList<object> Resources, IReadOnlyList<V1Secret> ExampleSecrets)
{
    public IEnumerable<T> Of<T>() => Resources.OfType<T>();

    public IReadOnlyList<Workload> Workloads => [.. Resources.SelectMany(resource => resource switch
    {
        V1Deployment deployment => [new Workload(Region, "Deployment", deployment.Metadata.Name, deployment.Metadata, deployment.Spec.Selector, deployment.Spec.Template)],
        V1StatefulSet statefulSet => [new Workload(Region, "StatefulSet", statefulSet.Metadata.Name, statefulSet.Metadata, statefulSet.Spec.Selector, statefulSet.Spec.Template)],
        V1DaemonSet daemonSet => [new Workload(Region, "DaemonSet", daemonSet.Metadata.Name, daemonSet.Metadata, daemonSet.Spec.Selector, daemonSet.Spec.Template)],
        V1Job job => [new Workload(Region, "Job", job.Metadata.Name, job.Metadata, job.Spec.Selector, job.Spec.Template)],
        _ => Array.Empty<Workload>(),
    })];

    public V1Namespace Namespace => Assert.Single(Of<V1Namespace>());
}

/// <summary>
/// <c>deploy/k8s</c> as it gets applied: each region's overlay rendered offline by <c>kubectl kustomize</c> (the binary of
/// the machine image; <c>PD_KUBECTL</c> names another) and loaded strictly into typed Kubernetes objects (an unknown
/// field fails), beside the files that must agree with it.
/// </summary>
public sealed class DeployManifests
{
    public const string ExampleSecretFile = "secrets.example.yaml";

    private static readonly Lazy<DeployManifests> s_loaded = new(Load);

    private DeployManifests(string repository, IReadOnlyList<RegionManifests> overlays)
    {
        Repository = repository;
        Overlays = overlays;
    }

    /// <summary>Rendered once per test process: every check reads the same output.</summary>
    public static DeployManifests Rendered => s_loaded.Value;

    public string Repository { get; }

    public string Directory => Path.Combine(Repository, "deploy", "k8s");

    public IReadOnlyList<RegionManifests> Overlays { get; }

    public IEnumerable<Workload> Workloads => Overlays.SelectMany(overlay => overlay.Workloads);

    /// <summary>The typed loader the manifests must satisfy.</summary>
    public static IReadOnlyList<object> LoadStrict(string yaml) => KubernetesYaml.LoadAllFromString(yaml, strict: true);

    /// <summary><c>kubectl kustomize</c> of <paramref name="directory"/>: the YAML that <c>kubectl apply -k</c> would send.</summary>
    public static string Kustomize(string directory)
    {
        var kubectl = Kubectl();
        using var process = Process.Start(new ProcessStartInfo(kubectl, ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"{kubectl} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{kubectl} kustomize {directory} did not finish");
        }

        Assert.True(process.ExitCode == 0, $"{kubectl} kustomize {directory} failed ({process.ExitCode}): {errors.Result}");
        return output.Result;
    }

    /// <summary>What a project file says about its container image and process: repository, ports, server GC.</summary>
    public (string? Repository, IReadOnlyList<int> Ports, bool ServerGc) ContainerSettings(string project)
    {
        var document = XDocument.Load(Path.Combine(Repository, "src", project, $"{project}.csproj"));
        var repository = document.Descendants("ContainerRepository").SingleOrDefault()?.Value;
        var ports = document.Descendants("ContainerPort").Select(port => int.Parse((string)port.Attribute("Include")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var serverGc = string.Equals(document.Descendants("ServerGarbageCollection").SingleOrDefault()?.Value, "true", StringComparison.OrdinalIgnoreCase)
            || document.Root?.Attribute("Sdk")?.Value == "Microsoft.NET.Sdk.Web";
        return (repository, ports, serverGc);
    }

    private static DeployManifests Load()
    {
        var repository = FindRepositoryRoot();
        var overlays = new List<RegionManifests>();
        foreach (var directory in System.IO.Directory.GetDirectories(Path.Combine(repository, "deploy", "k8s", "overlays")).Order(StringComparer.Ordinal))
        {
            var yaml = Kustomize(directory);
            var examples = LoadStrict(File.ReadAllText(Path.Combine(directory, ExampleSecretFile))).Select(resource => Assert.IsType<V1Secret>(resource)).ToList();
            overlays.Add(new RegionManifests(Path.GetFileName(directory), yaml, LoadStrict(yaml), examples));
        }

        return new DeployManifests(repository, overlays);
    }

    /// <summary>
    /// The kubectl binary: <c>PD_KUBECTL</c>, else <c>kubectl</c> on the PATH. Missing, the manifest tests fail (never
    /// skip): the machine image ships kubectl 1.32 with kustomize 5.5 at /usr/bin/kubectl (shared/FACTS.md).
    /// </summary>
    private static string Kubectl()
    {
        if (Environment.GetEnvironmentVariable("PD_KUBECTL") is { Length: > 0 } configured)
        {
            Assert.True(File.Exists(configured), $"PD_KUBECTL names {configured}, which does not exist");
            return configured;
        }

        var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "kubectl"))
            .FirstOrDefault(File.Exists);
        return found ?? throw new InvalidOperationException(
            "kubectl is not on the PATH (and PD_KUBECTL is not set): the deploy tests render every overlay with `kubectl kustomize`. "
            + "The machine image ships kubectl 1.32 (kustomize 5.5) at /usr/bin/kubectl; install kubectl 1.32 or later, or set PD_KUBECTL.");
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Actors.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Actors.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>
/// A container image reference, parsed as the distribution reference grammar reads it: an optional registry (the first
/// component when it has a dot or a port, or is <c>localhost</c>), the repository path, an optional tag, an optional digest.
/// </summary>
public sealed partial record ImageReference(string? Registry, string Repository, string? Tag, string? Digest)
{
    public static ImageReference Parse(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var (name, digest) = reference.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? (reference[..at], reference[(at + 1)..]) : (reference, null);
        if (digest is not null && !DigestFormat().IsMatch(digest))
        {
            throw new FormatException($"{reference}: the digest is not algorithm:hex");
        }

        string? registry = null;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = name[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                registry = first;
                name = name[(slash + 1)..];
            }
        }

        // A colon after the last slash starts the tag (a registry's port was taken off above).
        var colon = name.LastIndexOf(':');
        var (repository, tag) = colon > name.LastIndexOf('/') ? (name[..colon], name[(colon + 1)..]) : (name, null);
        if (!RepositoryFormat().IsMatch(repository) || (tag is not null && !TagFormat().IsMatch(tag)))
        {
            throw new FormatException($"{reference}: not a valid image reference");
        }

        return new ImageReference(registry, repository, tag, digest);
    }

    [GeneratedRegex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryFormat();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagFormat();

    [GeneratedRegex("^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestFormat();
}
