// DynamoDB Local bound to one address (DESIGN.md trap 13: the jar has no bind option).
//
// DynamoDB Local builds its Jetty server with `new Server(port)`, whose connector listens on
// every interface. This launcher lets the jar parse its usual arguments, then sets the host
// of every connector before the server starts, so the port is never open beyond the address
// given in the system property `reserver.bind` (default 127.0.0.1). If the jar's internals
// change and the connector cannot be reached, it exits non-zero instead of starting open.
//
// Compiled and run by infra/local/dynamodb_local.py against the bundled DynamoDBLocal.jar.

import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class LoopbackDynamoDbLocal {
    private LoopbackDynamoDbLocal() {}

    public static void main(String[] args) throws Exception {
        String host = System.getProperty("reserver.bind", "127.0.0.1");
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        Connector[] connectors = server.getConnectors();
        if (connectors.length == 0) {
            throw new IllegalStateException("DynamoDB Local has no connector to bind");
        }
        for (Connector connector : connectors) {
            if (!(connector instanceof ServerConnector network)) {
                throw new IllegalStateException("unexpected connector " + connector);
            }
            network.setHost(host);
        }
        proxy.start();
        for (Connector connector : server.getConnectors()) {
            ServerConnector network = (ServerConnector) connector;
            System.out.printf(
                "DynamoDB Local listening on %s:%d only%n", network.getHost(), network.getLocalPort());
        }
    }
}
