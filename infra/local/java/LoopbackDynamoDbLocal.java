// DynamoDB Local bound to one address (DESIGN.md trap 13: the jar has no bind option).
//
// DynamoDB Local builds its Jetty server with `new Server(port)`, whose connector listens on
// every interface. This launcher lets the jar parse its usual arguments, then sets the host
// of every connector before the server starts, so the port is never open beyond the address
// given in the system property `reserver.bind` (default 127.0.0.1). If the jar's internals
// change and the connector cannot be reached, it exits non-zero instead of starting open.
//
// Browsers are kept out too: a request with an `Origin` header (a web page's fetch) is refused,
// and, on the loopback, so is one whose Host is not a loopback name (DNS rebinding: a page on
// evil.example re-pointed at 127.0.0.1 would otherwise read the table as its own origin).
//
// Compiled and run by infra/local/dynamodb_local.py against the bundled DynamoDBLocal.jar.

import java.lang.reflect.Field;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class LoopbackDynamoDbLocal {
    private static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

    private LoopbackDynamoDbLocal() {}

    /** Refuses what a web page could send; everything else goes to DynamoDB Local. */
    static final class BrowserGuard extends Handler.Wrapper {
        private final boolean loopbackOnly;

        BrowserGuard(Handler inner, boolean loopbackOnly) {
            super(inner);
            this.loopbackOnly = loopbackOnly;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String host = String.valueOf(Request.getServerName(request)).toLowerCase(Locale.ROOT);
            if (request.getHeaders().get("Origin") != null) {
                Response.writeError(request, response, callback, 403, "requests from web pages are refused");
                return true;
            }
            if (loopbackOnly && !LOOPBACK_NAMES.contains(host)) {
                Response.writeError(request, response, callback, 403, "Host is not a loopback name");
                return true;
            }
            return super.handle(request, response, callback);
        }
    }

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
        server.setHandler(new BrowserGuard(server.getHandler(), LOOPBACK_NAMES.contains(host)));
        proxy.start();
        for (Connector connector : server.getConnectors()) {
            ServerConnector network = (ServerConnector) connector;
            System.out.printf(
                "DynamoDB Local listening on %s:%d only%n", network.getHost(), network.getLocalPort());
        }
    }
}
