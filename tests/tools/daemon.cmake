# placeholder: nghook/ngraphd tests (issue #11), being written
