package io.pgherd.agent.api;

import java.util.Map;

/**
 * One HTTP request as the endpoints see it: the body read in full (bounded by the server).
 *
 * @param method GET, POST, ... (HEAD and OPTIONS reach the GET handler of a probe)
 * @param path the decoded path
 * @param query the query parameters, decoded; the last one wins when a name repeats
 * @param body the request body, empty when there is none
 * @param remote who sent it, for logs: the client's address, preceded by the user when authenticated
 */
record Request(String method, String path, Map<String, String> query, byte[] body, String remote) {
    Request {
        query = Map.copyOf(query);
    }
}
