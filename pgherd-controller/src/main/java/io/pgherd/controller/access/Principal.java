package io.pgherd.controller.access;

/**
 * Who made an authenticated request.
 *
 * @param user    the user's name
 * @param role    the user's role when the request was authenticated
 * @param tokenId the public id of the token used (never the token itself)
 */
public record Principal(String user, Role role, String tokenId) {}
