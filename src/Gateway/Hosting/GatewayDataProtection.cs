using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PrimeDirective.Gateway.Hosting;

/// <summary>
/// One Data Protection key ring for every gateway replica (antiforgery tokens of the Privacy Center's forms), under one
/// application name, kept in the cluster database (table <c>data_protection_key</c>, migration V014): a form rendered by
/// one replica is accepted by another, and forms open during a rollout still post. Without a database (the single
/// in-memory process) the framework's default ring of this process is used.
/// </summary>
internal static class GatewayDataProtection
{
    public const string ApplicationName = "prime-directive";

    public static WebApplicationBuilder AddGatewayDataProtection(this WebApplicationBuilder builder)
    {
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        if (GatewayOrleans.StorageConnectionString(builder.Configuration) is { } connectionString)
        {
            var repository = new PostgresKeyRepository(connectionString);
            builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(
                new ConfigureOptions<KeyManagementOptions>(options => options.XmlRepository = repository));
        }

        return builder;
    }

    /// <summary>Data Protection's key XML as rows; Data Protection caches the ring and reads it again for a key it does not know.</summary>
    private sealed class PostgresKeyRepository(string connectionString) : IXmlRepository
    {
        private readonly string _connectionString =
            new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "prime-directive-data-protection" }.ConnectionString;

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            using var connection = new NpgsqlConnection(_connectionString);
            connection.Open();
            using var command = new NpgsqlCommand("select xml from data_protection_key order by stored_at, friendly_name", connection);
            using var reader = command.ExecuteReader();
            var elements = new List<XElement>();
            while (reader.Read())
            {
                elements.Add(XElement.Parse(reader.GetString(0)));
            }

            return elements;
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            using var connection = new NpgsqlConnection(_connectionString);
            connection.Open();
            // A key is written once; a replica storing the same name again changes nothing.
            using var command = new NpgsqlCommand(
                "insert into data_protection_key (friendly_name, xml) values (@name, @xml) on conflict (friendly_name) do nothing", connection);
            command.Parameters.AddWithValue("name", friendlyName);
            command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
            command.ExecuteNonQuery();
        }
    }
}
