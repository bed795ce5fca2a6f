using System.Xml.Linq;
using k8s;
using k8s.Models;

namespace PrimeDirective.Tests.Deploy;

/// <summary>A pod-owning workload of the manifests (Deployment or StatefulSet), as the checks see it.</summary>
public sealed record Workload(string File, string Kind, string Name, V1LabelSelector Selector, V1PodTemplateSpec Template)
{
    public V1Container Container => Assert.Single(Template.Spec.Containers);

    public IList<V1EnvVar> Env => Container.Env ?? [];

    /// <summary>The literal value of an environment variable, or null when it is absent or comes from elsewhere.</summary>
    public string? Literal(string name) => Env.SingleOrDefault(env => env.Name == name)?.Value;

    public override string ToString() => $"{Kind}/{Name} ({File})";
}

/// <summary>Every manifest under <c>deploy/k8s</c>, loaded strictly into typed Kubernetes objects, and the files that must agree with them.</summary>
public sealed class DeployManifests
{
    public const string ExampleSecretFile = "secret.example.yaml";

    public const string KustomizationFile = "kustomization.yaml";

    private DeployManifests(string repository, IReadOnlyList<(string File, object Resource)> resources)
    {
        Repository = repository;
        Resources = resources;
    }

    public string Repository { get; }

    public string Directory => Path.Combine(Repository, "deploy", "k8s");

    /// <summary>Every object of every manifest file, with the file it came from.</summary>
    public IReadOnlyList<(string File, object Resource)> Resources { get; }

    /// <summary>The objects that get applied (everything but the example secret).</summary>
    public IEnumerable<object> Applied => Resources.Where(entry => entry.File != ExampleSecretFile).Select(entry => entry.Resource);

    public IReadOnlyList<Workload> Workloads => [.. Resources
        .Where(entry => entry.File != ExampleSecretFile)
        .SelectMany(entry => entry.Resource switch
        {
            V1Deployment deployment => [new Workload(entry.File, "Deployment", deployment.Metadata.Name, deployment.Spec.Selector, deployment.Spec.Template)],
            V1StatefulSet statefulSet => [new Workload(entry.File, "StatefulSet", statefulSet.Metadata.Name, statefulSet.Spec.Selector, statefulSet.Spec.Template)],
            _ => Array.Empty<Workload>(),
        })];

    public IReadOnlyList<V1Secret> ExampleSecrets => [.. Resources.Where(entry => entry.File == ExampleSecretFile).Select(entry => Assert.IsType<V1Secret>(entry.Resource))];

    public IEnumerable<T> AppliedOf<T>() => Applied.OfType<T>();

    /// <summary>Loads every <c>*.yaml</c> under <c>deploy/k8s</c> but the kustomization, strictly: an unknown field fails.</summary>
    public static DeployManifests Load()
    {
        var repository = FindRepositoryRoot();
        var resources = new List<(string, object)>();
        foreach (var path in System.IO.Directory.GetFiles(Path.Combine(repository, "deploy", "k8s"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            if (file == KustomizationFile)
            {
                continue;
            }

            resources.AddRange(LoadStrict(File.ReadAllText(path)).Select(resource => (file, resource)));
        }

        return new DeployManifests(repository, resources);
    }

    /// <summary>The typed loader the manifests must satisfy.</summary>
    public static IReadOnlyList<object> LoadStrict(string yaml) => KubernetesYaml.LoadAllFromString(yaml, strict: true);

    /// <summary>The kustomization's resources, read strictly (only the fields this repository uses).</summary>
    public Kustomization ReadKustomization() =>
        KubernetesYaml.Deserialize<Kustomization>(File.ReadAllText(Path.Combine(Directory, KustomizationFile)), strict: true);

    /// <summary>What a project file says about its container image: repository and ports.</summary>
    public (string? Repository, IReadOnlyList<int> Ports) ContainerSettings(string project)
    {
        var document = XDocument.Load(Path.Combine(Repository, "src", project, $"{project}.csproj"));
        var repository = document.Descendants("ContainerRepository").SingleOrDefault()?.Value;
        var ports = document.Descendants("ContainerPort").Select(port => int.Parse((string)port.Attribute("Include")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return (repository, ports);
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

/// <summary>The fields of <c>deploy/k8s/kustomization.yaml</c>.</summary>
public sealed class Kustomization
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public List<string> Resources { get; set; } = [];
}
