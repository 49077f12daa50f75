"""The dashboard's views (its tabs), by the names the command line uses (`--view latent`): no
Qt here, so the argument parser can check a name before the window is made."""
from __future__ import annotations

# tab titles in order; a view's name is its title in lower case
TITLES = ("Overview", "Layers", "Classes", "Reconstructions", "Code", "Latent", "Pretraining",
          "Gibbs", "GAN")
NAMES = tuple(t.lower() for t in TITLES)

# the views an autoencoder's data fills, and the block capability (`face`) that promises it:
# they are shown only for runs that have that data, so supervised lessons keep three tabs
AUTOENCODER_VIEWS = {"reconstructions": "reconstructions", "code": "code", "latent": "code"}

# the views an RBM's pretraining fills (pictures with filters, its epochs' figures, Gibbs chains),
# shown only for runs that pretrain in phases of their own, or, before the run has said, whose
# blocks declare the face that promises them
RBM_VIEWS = ("pretraining", "gibbs")
RBM_FACE = "rbm"

# the view a GAN's game fills (its samples over the discriminator's scores, its losses), shown
# for runs whose generator files samples, or, before the run has said, whose blocks declare the
# face that promises them
GAN_VIEW = "gan"
GAN_FACE = "samples"
