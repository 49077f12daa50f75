"""Trained models in the app: keeping them (.dcmodel files), predicting with them, exporting them."""
