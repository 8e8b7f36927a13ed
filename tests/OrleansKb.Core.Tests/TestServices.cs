using Npgsql;

namespace OrleansKb.Tests;

/// <summary>
/// The PostgreSQL and Redis the tests use: real servers, started by <c>.ci/run</c> (through
/// <c>deploy/local-cluster.sh services-start</c>), which names them in environment variables. Without
/// them the tests that need them fail, saying so: they never skip.
/// </summary>
internal static class TestServices
{
    /// <summary>An Npgsql connection string to the test database.</summary>
    public static string Postgres => Required("ORLEANSKB_TEST_POSTGRES");

    /// <summary>The Redis server for membership, <c>HOST:PORT</c>.</summary>
    public static string Redis => Required("ORLEANSKB_TEST_REDIS");

    /// <summary>The state folder of the services' recipe (<c>ORLEANSKB_STATE</c> of <c>deploy/local-cluster.sh</c>).</summary>
    public static string RecipeState => Required("ORLEANSKB_TEST_STATE");

    /// <summary>A connection string to a new, empty schema of the test database: a store of its own for one test.</summary>
    public static string NewPostgresSchema()
    {
        var schema = "test_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(Postgres))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            create.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(Postgres) { SearchPath = schema }.ConnectionString;
    }

    /// <summary>Runs one SQL statement against the database of <paramref name="connectionString"/> (to damage a store, say).</summary>
    public static int Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteNonQuery();
    }

    /// <summary>The single value one SQL query returns.</summary>
    public static long Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: these tests need PostgreSQL and Redis, which .ci/run starts (deploy/local-cluster.sh services-start) and names in ORLEANSKB_TEST_*");
}
