"""HTML pages of the service center: the staff work queue, the request page with its actions,
the enterprise's requests and submit form, visits and proxy handling."""
